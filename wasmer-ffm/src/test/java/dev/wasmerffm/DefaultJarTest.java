package dev.wasmerffm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.wasmerffm.internal.Loader;
import dev.wasmerffm.internal.NativeJar;
import dev.wasmerffm.raw.LibWasmer;
import java.io.File;
import java.io.InputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Properties;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The default platform jar holds MIT code only: no singlepass compiler (Business Source License 1.1), which comes in
 * the {@code -singlepass} jar. The tests run with both jars on the classpath; the default one alone is tried in a
 * child JVM whose classpath lacks the singlepass jar.
 */
class DefaultJarTest {

    static final String PLATFORM = NativeJar.platform();

    @TempDir
    Path tmp;

    static Properties properties(String classifier) throws Exception {
        Properties p = new Properties();
        try (InputStream in = DefaultJarTest.class
                .getClassLoader()
                .getResourceAsStream("META-INF/wasmer-native/" + classifier + "/wasmer-native.properties")) {
            assertThat(in).as(classifier + " jar on the test classpath").isNotNull();
            p.load(in);
        }
        return p;
    }

    static byte[] library(String classifier) throws Exception {
        try (InputStream in = DefaultJarTest.class
                .getClassLoader()
                .getResourceAsStream("META-INF/wasmer-native/" + classifier + "/lib/" + Loader.FILE_NAME)) {
            return in.readAllBytes();
        }
    }

    /** Rust records the source path of each panic location: singlepass code carries its crate's name. */
    static int singlepassSourcePaths(byte[] library) {
        String text = new String(library, StandardCharsets.ISO_8859_1);
        int count = 0;
        for (int i = text.indexOf("wasmer-compiler-singlepass-");
                i >= 0;
                i = text.indexOf("wasmer-compiler-singlepass-", i + 1)) {
            count++;
        }
        return count;
    }

    @Test
    void theDefaultJarsLibraryHasNoSinglepassCodeAndTheSinglepassJarsHas() throws Exception {
        assumeTrue(System.getenv("WASMER_DIR") == null, "both jars hold WASMER_DIR's library: skipped");
        assertThat(properties(PLATFORM).getProperty("wasmer.features")).doesNotContain("singlepass");
        assertThat(properties(PLATFORM + "-singlepass").getProperty("wasmer.features"))
                .contains(",singlepass,");
        assertThat(singlepassSourcePaths(library(PLATFORM))).isZero();
        assertThat(singlepassSourcePaths(library(PLATFORM + "-singlepass"))).isPositive();
    }

    /** The BSL text and the README saying who may use singlepass in production come with the singlepass jar only. */
    @Test
    void onlyTheSinglepassJarCarriesTheBusinessSourceLicense() throws Exception {
        for (String resource :
                List.of("META-INF/LICENSE-wasmer-compiler-singlepass", "META-INF/README-singlepass.md")) {
            List<URL> found =
                    Collections.list(DefaultJarTest.class.getClassLoader().getResources(resource));
            assertThat(found).as(resource).singleElement().satisfies(url -> assertThat(
                            url.toString().substring(0, url.toString().indexOf("META-INF")))
                    .contains("singlepass"));
            try (InputStream in = found.getFirst().openStream()) {
                assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8))
                        .contains("Business Source License 1.1", "Sponsor");
            }
        }
    }

    /** The jars' libraries are stripped; nm reads the builds they were stripped from, in the build cache. */
    @Test
    void nmFindsNoSinglepassSymbolInTheDefaultBuild() throws Exception {
        long[] counts = new long[2];
        for (int i = 0; i < 2; i++) {
            String features =
                    properties(PLATFORM + (i == 0 ? "" : "-singlepass")).getProperty("wasmer.features");
            String hash = HexFormat.of()
                    .formatHex(NativeJar.sha256Digest().digest(features.getBytes(StandardCharsets.UTF_8)))
                    .substring(0, 12);
            Path lib = Loader.cacheRoot()
                    .resolve("wasmer-" + properties(PLATFORM).getProperty("wasmer.version") + "-" + hash)
                    .resolve("lib")
                    .resolve(Loader.FILE_NAME);
            assumeTrue(Files.isRegularFile(lib), "no build of " + features + " in the build cache (WASMER_DIR?)");
            counts[i] = ChildJvm.exec(new ProcessBuilder("nm", lib.toString()), Duration.ofSeconds(120))
                    .ok()
                    .lines()
                    .filter(l -> l.contains("singlepass"))
                    .count();
        }
        assertThat(counts[0]).as("singlepass symbols in the default build").isZero();
        assertThat(counts[1]).as("singlepass symbols in the singlepass build").isGreaterThan(100);
    }

    /** The child JVM: the default jar alone. */
    static final class DefaultJarProbe {
        public static void main(String[] args) {
            System.out.println("LOADED " + WasmerLibrary.load());
            System.out.println("SINGLEPASS AVAILABLE "
                    + LibWasmer.wasmer_is_backend_available(LibWasmer.wasmer_backend_t.SINGLEPASS));
            System.out.println("CRANELIFT AVAILABLE "
                    + LibWasmer.wasmer_is_backend_available(LibWasmer.wasmer_backend_t.CRANELIFT));
            try (Engine e = new Engine(new Config().backend(Backend.SINGLEPASS))) {
                System.out.println("SINGLEPASS ENGINE MADE");
            } catch (BackendUnavailableException e) {
                System.out.println("UNAVAILABLE " + e.getMessage());
            }
        }
    }

    @Test
    void withTheDefaultJarAloneSinglepassIsATypedFailureNamingTheJarToAdd() throws Exception {
        assumeTrue(System.getenv("WASMER_DIR") == null, "the default jar holds WASMER_DIR's library: skipped");
        String classpath = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(entry -> !entry.contains("singlepass"))
                .collect(Collectors.joining(File.pathSeparator));
        ProcessBuilder pb = new ProcessBuilder(ChildJvm.java(
                List.of("-Duser.home=" + Files.createDirectories(tmp.resolve("home"))),
                classpath,
                DefaultJarProbe.class));
        pb.environment().keySet().removeAll(List.of("WASMER_DIR", "WASMER_JAVA_CACHE", "XDG_CACHE_HOME"));
        String out = ChildJvm.exec(pb, Duration.ofSeconds(120)).ok();
        assertThat(out)
                .contains(
                        "LOADED " + tmp.resolve("home/.cache/wasmer-java/native"),
                        "SINGLEPASS AVAILABLE false",
                        "CRANELIFT AVAILABLE true",
                        "UNAVAILABLE Wasmer backend 'singlepass' cannot make an engine: it is not built into the"
                                + " loaded libwasmer",
                        "to use it, add the jar dev.wasmerffm:wasmer-native:" + PLATFORM + "-singlepass (Wasmer's"
                                + " singlepass compiler, Business Source License 1.1");
        assertThat(out).contains(properties(PLATFORM).getProperty("sha256"));
    }
}
