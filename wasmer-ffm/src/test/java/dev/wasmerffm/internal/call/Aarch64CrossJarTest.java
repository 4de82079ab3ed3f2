package dev.wasmerffm.internal.call;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.wasmerffm.ChildJvm;
import dev.wasmerffm.internal.NativeJar;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Properties;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The linux-aarch64 jar, cross-compiled on linux-x86_64 (by wasmer-native's default build where the cross toolchain
 * is installed, or its cross-linux-aarch64 profile): its layout
 * and recorded hash, and wasmer-native/src/test/c/smoke.c built with the cross compiler against it and run under
 * qemu-aarch64 (compile, instantiate, call add, trap, WASI hello, and StackGuard's aarch64 stack-pointer stub).
 * Skipped, saying why, where the jar was not built or the cross compiler or qemu is missing.
 */
class Aarch64CrossJarTest {

    static final Path JAR = Path.of(System.getProperty("wasmer.native.aarch64", "no-such-directory"));

    @TempDir
    Path tmp;

    static boolean onPath(String tool) {
        return Stream.of(System.getenv("PATH").split(":")).anyMatch(d -> Files.isExecutable(Path.of(d, tool)));
    }

    @Test
    void theCrossCompiledLibraryPassesTheCSmokeTestUnderQemu() throws Exception {
        Path dir = JAR.resolve("META-INF/wasmer-native/linux-aarch64");
        assumeTrue(
                Files.isDirectory(dir), "no linux-aarch64 jar content at " + dir + " (built on linux-x86_64): skipped");
        assumeTrue(
                onPath("aarch64-linux-gnu-gcc") && onPath("qemu-aarch64"),
                "no aarch64-linux-gnu-gcc or qemu-aarch64 (Debian: gcc-aarch64-linux-gnu, qemu-user): skipped");
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(dir.resolve("wasmer-native.properties"))) {
            p.load(in);
        }
        Path lib = dir.resolve("lib/libwasmer.so");
        assertThat(p.getProperty("platform")).isEqualTo("linux-aarch64");
        assertThat(p.getProperty("sha256")).isEqualTo(NativeJar.sha256(lib));
        assertThat(p.getProperty("wasmer.version")).isEqualTo("7.4.2");
        assertThat(p.getProperty("wasmer.features")).doesNotContain("singlepass");
        assertThat(p.getProperty("include")).isEqualTo("wasm.h wasmer.h");
        byte[] elf;
        try (InputStream in = Files.newInputStream(lib)) {
            elf = in.readNBytes(20);
        }
        assertThat((elf[18] & 0xFF) | (elf[19] & 0xFF) << 8)
                .as("ELF e_machine: EM_AARCH64")
                .isEqualTo(183);
        assertThat(JAR.resolve("META-INF/LICENSE")).isRegularFile();

        Path smoke = JAR.resolve("../../src/test/c/smoke.c").normalize();
        Path exe = tmp.resolve("smoke");
        run(
                tmp,
                "aarch64-linux-gnu-gcc",
                "-O1",
                "-I" + dir.resolve("include"),
                smoke.toString(),
                "-L" + lib.getParent(),
                "-lwasmer",
                "-o",
                exe.toString());
        String out = run(
                tmp,
                "qemu-aarch64",
                "-L",
                "/usr/aarch64-linux-gnu",
                "-E",
                "LD_LIBRARY_PATH=" + lib.getParent(),
                exe.toString(),
                HexFormat.of().formatHex(StackGuard.stackPointerCode("aarch64")));
        assertThat(out)
                .contains(
                        "stack pointer stub: 0x",
                        "wasmer 7.4.2",
                        "add(2, 40) = 42",
                        "trap: unreachable",
                        "hello from WASI",
                        "all steps passed");
    }

    static String run(Path dir, String... command) throws Exception {
        return ChildJvm.exec(new ProcessBuilder(command).directory(dir.toFile()), Duration.ofSeconds(300))
                .ok();
    }
}
