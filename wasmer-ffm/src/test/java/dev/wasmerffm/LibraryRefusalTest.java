package dev.wasmerffm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wasmerffm.internal.Loader;
import dev.wasmerffm.internal.NativeJar;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Libraries the loader must not load, each in a fresh JVM (this one has libwasmer loaded already) with an empty home
 * and no WASMER_DIR.
 */
class LibraryRefusalTest {

    @TempDir
    Path tmp;

    String loadInChildJvm(Path extraClasspath, String... properties) throws Exception {
        List<String> options = new ArrayList<>(List.of("-Duser.home=" + Files.createDirectories(tmp.resolve("home"))));
        options.addAll(List.of(properties));
        ProcessBuilder pb = new ProcessBuilder(ChildJvm.java(
                options,
                extraClasspath + File.pathSeparator + System.getProperty("java.class.path"),
                SmokeTest.LoadProbe.class));
        pb.environment().keySet().removeAll(List.of("WASMER_DIR", "WASMER_JAVA_CACHE", "XDG_CACHE_HOME"));
        ChildJvm.Result child = ChildJvm.exec(pb, Duration.ofSeconds(60));
        assertThat(child.exitCode()).as(child.output()).isEqualTo(3);
        return child.output();
    }

    @Test
    void aLibraryOfAnotherWasmerVersionIsRefused() throws Exception {
        Path c = Files.writeString(tmp.resolve("old.c"), "const char *wasmer_version(void) { return \"6.1.0\"; }\n");
        Path lib = tmp.resolve("libwasmer.so");
        ChildJvm.exec(
                        new ProcessBuilder("gcc", "-shared", "-fPIC", "-o", lib.toString(), c.toString()),
                        Duration.ofSeconds(120))
                .ok();
        String out = loadInChildJvm(tmp, "-D" + WasmerLibrary.PATH_PROPERTY + "=" + lib);
        assertThat(out)
                .contains("libwasmer at " + lib + " (system property wasmer.library.path) is Wasmer 6.1.0, but"
                        + " this binding is generated from and tested with Wasmer 7.4.2 only");
    }

    /**
     * A jar whose library does not match the SHA-256 it records, first on the classpath under the classifier the
     * loader prefers: nothing is extracted.
     */
    @Test
    void aPlatformJarWhoseLibraryDoesNotMatchItsHashIsRefused() throws Exception {
        String classifier = NativeJar.platform() + NativeJar.SINGLEPASS;
        Path jar = tmp.resolve("jar");
        Path platform = Files.createDirectories(jar.resolve("META-INF/wasmer-native/" + classifier));
        Files.createDirectories(platform.resolve("lib"));
        Files.writeString(Files.createDirectories(platform.resolve("include")).resolve("wasm.h"), "/* a header */");
        Files.writeString(platform.resolve("lib").resolve(Loader.FILE_NAME), "not the library it claims");
        Files.writeString(platform.resolve("wasmer-native.properties"), """
                platform=%s
                sha256=0000000000000000000000000000000000000000000000000000000000000000
                wasmer.version=7.4.2
                include=wasm.h
                """.formatted(NativeJar.platform()));
        String out = loadInChildJvm(jar);
        assertThat(out)
                .contains("libwasmer from the platform jar dev.wasmerffm:wasmer-native:" + classifier + " cannot be"
                        + " used: META-INF/wasmer-native/" + classifier + "/lib/libwasmer.so in the platform jar does"
                        + " not match its SHA-256 0000000000000000000000000000000000000000000000000000000000000000:"
                        + " the jar is corrupt");
        try (var files = Files.walk(tmp.resolve("home"))) {
            assertThat(files.filter(f -> f.getFileName().toString().contains("libwasmer")))
                    .isEmpty();
        }
    }
}
