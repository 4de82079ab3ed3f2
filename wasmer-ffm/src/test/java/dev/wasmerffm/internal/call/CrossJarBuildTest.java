package dev.wasmerffm.internal.call;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * What wasmer-native's default build does about the linux-aarch64 jar on a machine without its cross toolchain: it
 * skips the jar with one line and installs nothing (a cold cross build takes hours here), while
 * {@code -Pcross-linux-aarch64} (wasmer.native.cross=install) fails naming what it could not install. The script runs
 * with a PATH of a few plain tools (no cross compiler, qemu, apt-get or Rust), so nothing here can build or install.
 */
class CrossJarBuildTest {

    static final Path SCRIPT = Path.of(System.getProperty("wasmer.native.aarch64", "no-such-directory"))
            .resolve("../../build-libwasmer.sh")
            .normalize();
    static final String FEATURES = "wat,sys-default,compiler,cranelift,wasi,middlewares,webc_runner";

    @TempDir
    Path tmp;

    Path bin;
    Path jar;

    record Result(int exit, String stdout, String stderr) {}

    /** The script's plain tools, as wrappers (no cross compiler, qemu, apt or Rust); a stale jar content. */
    @BeforeEach
    void toolsWithoutTheCrossToolchain() throws IOException {
        bin = Files.createDirectory(tmp.resolve("bin"));
        for (String name :
                List.of("bash", "uname", "dirname", "rm", "id", "cut", "sha256sum", "mkdir", "mktemp", "cp")) {
            Path tool = Stream.of(System.getenv("PATH").split(":"))
                    .map(d -> Path.of(d, name))
                    .filter(Files::isExecutable)
                    .findFirst()
                    .orElseThrow();
            executable(bin.resolve(name), "exec " + tool + " \"$@\"");
        }
        jar = Files.createDirectories(tmp.resolve("linux-aarch64/META-INF/wasmer-native/linux-aarch64"))
                .getParent()
                .getParent()
                .getParent();
    }

    static void executable(Path file, String script) throws IOException {
        Files.writeString(file, "#!/bin/sh\n" + script + "\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    /** A rustc whose sysroot has the aarch64 target's standard library, so only the cross compiler is missing. */
    void rustWithTheAarch64Target() throws IOException {
        Path sysroot = tmp.resolve("sysroot");
        Files.createDirectories(sysroot.resolve("lib/rustlib/aarch64-unknown-linux-gnu/lib"));
        executable(bin.resolve("rustc"), "echo " + sysroot);
    }

    Result build(String cross) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(
                        "/bin/bash", SCRIPT.toString(), "7.4.2", FEATURES, jar.toString(), "linux-aarch64", cross)
                .directory(tmp.toFile())
                .redirectOutput(tmp.resolve("stdout").toFile())
                .redirectError(tmp.resolve("stderr").toFile());
        Map<String, String> env = builder.environment();
        env.put("PATH", bin.toString());
        env.put("HOME", tmp.toString()); // no ~/.cargo/bin
        env.put("WASMER_JAVA_CACHE", tmp.resolve("cache").toString());
        Process process = builder.start();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Result(
                process.exitValue(), Files.readString(tmp.resolve("stdout")), Files.readString(tmp.resolve("stderr")));
    }

    void assertSkippedInOneLine(Result r, String why) {
        assertThat(r.exit()).as(r.stderr()).isZero();
        assertThat(r.stdout()).isEmpty();
        assertThat(r.stderr()).isEqualTo("skipping the linux-aarch64 jar: " + why + "\n");
        assertThat(jar)
                .as("a stale jar content goes, so no old jar is packaged")
                .doesNotExist();
        assertThat(tmp.resolve("cache")).as("no build started").doesNotExist();
    }

    @Test
    void withoutTheRustTargetTheDefaultBuildSkipsTheJarInOneLine() throws Exception {
        assertSkippedInOneLine(
                build("if-present"),
                "the Rust target aarch64-unknown-linux-gnu is not installed (-Pcross-linux-aarch64 installs it)");
    }

    @Test
    void withoutTheCrossCompilerTheDefaultBuildSkipsTheJarInOneLineAndInstallsNothing() throws Exception {
        rustWithTheAarch64Target();
        assertSkippedInOneLine(
                build("if-present"),
                "no aarch64-linux-gnu-gcc on PATH (-Pcross-linux-aarch64 installs Debian's gcc-aarch64-linux-gnu)");
    }

    @Test
    void crossSkipLeavesTheJarOut() throws Exception {
        rustWithTheAarch64Target();
        assertSkippedInOneLine(build("skip"), "wasmer.native.cross=skip");
    }

    @Test
    void theCrossProfileFailsNamingWhatItCouldNotInstall() throws Exception {
        rustWithTheAarch64Target();
        Result r = build("install");
        assertThat(r.exit()).isNotZero();
        assertThat(r.stderr())
                .contains("error: need gcc-aarch64-linux-gnu to cross-compile libwasmer for linux-aarch64");
        assertThat(tmp.resolve("cache")).doesNotExist();
    }

    /** macOS cannot cross-compile it; a linux-aarch64 host's default jar already is it (no second jar). */
    @ParameterizedTest
    @CsvSource({
        "Darwin, arm64, only linux-x86_64 cross-compiles it; build it on linux-aarch64",
        "Linux, aarch64, this linux-aarch64 host builds it as its default jar"
    })
    void otherHostsSkipTheJarInOneLine(String os, String arch, String why) throws Exception {
        executable(bin.resolve("uname"), "case \"$1\" in -s) echo " + os + ";; -m) echo " + arch + ";; esac");
        assertSkippedInOneLine(build("if-present"), why);
    }

    @Test
    void anUnknownCrossSettingFailsNamingTheChoices() throws Exception {
        Result r = build("sometimes");
        assertThat(r.exit()).isNotZero();
        assertThat(r.stderr()).isEqualTo("error: wasmer.native.cross=sometimes; use if-present, install or skip\n");
    }
}
