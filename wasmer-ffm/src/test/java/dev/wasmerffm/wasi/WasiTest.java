package dev.wasmerffm.wasi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wasmerffm.Engine;
import dev.wasmerffm.Extern;
import dev.wasmerffm.Func;
import dev.wasmerffm.Instance;
import dev.wasmerffm.LinkException;
import dev.wasmerffm.Module;
import dev.wasmerffm.NoSuchExportException;
import dev.wasmerffm.Store;
import dev.wasmerffm.TestModules;
import dev.wasmerffm.WasmerException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real WASI programs, compiled from C by the build (src/test/wasi). */
class WasiTest {

    static Engine engine;

    @BeforeAll
    static void engine() {
        engine = new Engine();
    }

    @AfterAll
    static void close() {
        engine.close();
    }

    static byte[] program(String name) throws IOException {
        try (InputStream in = WasiTest.class.getResourceAsStream("/wasi/" + name + ".wasm")) {
            assertThat(in).as("built by tools/build-wasm-programs.sh: " + name).isNotNull();
            return in.readAllBytes();
        }
    }

    static WasiExit run(String name, WasiConfig config) throws IOException {
        try (Module module = Module.compile(engine, program(name));
                Store store = new Store(engine);
                WasiEnv wasi = WasiEnv.create(store, config)) {
            return wasi.run(module);
        }
    }

    @Test
    void helloWorldIsCapturedPerEnvironment() throws IOException {
        WasiExit exit = run("hello", new WasiConfig("hello"));
        assertThat(exit.exitCode()).isZero();
        assertThat(exit.success()).isTrue();
        assertThat(exit.stdoutText()).isEqualTo("hello, world\n");
        assertThat(exit.stderrText()).isEqualTo("a line on stderr\n");
        assertThat(exit.truncated()).isFalse();
    }

    @Test
    void argsAndEnvironmentReachTheProgram() throws IOException {
        WasiExit exit =
                run("echo", new WasiConfig("echo").args("one", "two words").env("GREETING", "hi there"));
        assertThat(exit.stdoutText()).isEqualTo("arg0=echo\narg1=one\narg2=two words\nGREETING=hi there\n");
    }

    @Test
    void anExitCodeIsAResultNotAnError() throws IOException {
        WasiExit exit = run("exit3", new WasiConfig("exit3"));
        assertThat(exit.exitCode()).isEqualTo(3);
        assertThat(exit.success()).isFalse();
        assertThat(exit.stdoutText()).isEqualTo("about to exit\n");
    }

    @Test
    void anExplicitExitZeroIsSuccess() {
        String wat = """
                (module (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
                  (memory (export "memory") 1) (func (export "_start") (call $exit (i32.const 0)) unreachable))""";
        try (Module module = Module.compile(engine, wat);
                Store store = new Store(engine);
                WasiEnv wasi = WasiEnv.create(store, new WasiConfig("zero"))) {
            WasiExit exit = wasi.run(module);
            assertThat(exit.exitCode()).isZero();
            assertThat(exit.success()).isTrue();
        }
    }

    @Test
    void stdinIsGivenAsBytes() throws IOException {
        WasiExit exit = run("upper", new WasiConfig("upper").stdin("shout this\n".getBytes(StandardCharsets.UTF_8)));
        assertThat(exit.stdoutText()).isEqualTo("SHOUT THIS\n");
    }

    @Test
    void outputIsCappedAndFlagged() throws IOException {
        WasiExit exit =
                run("upper", new WasiConfig("upper").stdin(new byte[10_000]).maxOutput(100));
        assertThat(exit.stdout()).hasSize(100);
        assertThat(exit.truncated()).isTrue();
    }

    @Test
    void aMappedDirectoryIsReadAndWritten(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("in.txt"), "data from the host");
        WasiExit exit = run("files", new WasiConfig("files").mapDir("/data", dir));
        assertThat(exit.stdoutText()).isEqualTo("read 18 bytes\n");
        assertThat(Files.readString(dir.resolve("out.txt"))).isEqualTo("copied: data from the host");
    }

    /** root/sandbox with inside.txt, and symlinks out of it to root/outside.txt ("secret") and to root. */
    static Path sandbox(Path root) throws IOException {
        Path sandbox = Files.createDirectory(root.resolve("sandbox"));
        Files.writeString(root.resolve("outside.txt"), "secret");
        Files.writeString(sandbox.resolve("inside.txt"), "fine");
        Files.createSymbolicLink(sandbox.resolve("link-out"), root.resolve("outside.txt"));
        Files.createSymbolicLink(sandbox.resolve("dir-out"), root);
        return sandbox;
    }

    @Test
    void escapingThePreopenedDirectoryIsDenied(@TempDir Path root) throws IOException {
        Path sandbox = sandbox(root);
        WasiExit exit = run(
                "escape",
                new WasiConfig("escape")
                        .mapDir("/sandbox", sandbox)
                        .args(
                                "/sandbox/inside.txt",
                                "/sandbox/../outside.txt",
                                root.resolve("outside.txt").toString(),
                                "/etc/passwd",
                                "/sandbox/link-out",
                                "/sandbox/dir-out/outside.txt"));
        assertThat(exit.stdoutText().lines())
                .containsExactly(
                        "/sandbox/inside.txt: OPENED",
                        "/sandbox/../outside.txt: denied",
                        root.resolve("outside.txt") + ": denied",
                        "/etc/passwd: denied",
                        "/sandbox/link-out: denied",
                        "/sandbox/dir-out/outside.txt: denied");
        assertThat(Files.readString(root.resolve("outside.txt"))).isEqualTo("secret");
    }

    @Test
    void versionImportsAndStartFunction() throws IOException {
        try (Module module = Module.compile(engine, program("hello"));
                Store store = new Store(engine);
                WasiEnv wasi = WasiEnv.create(store, new WasiConfig("hello"))) {
            assertThat(WasiEnv.version(module)).isEqualTo(WasiVersion.SNAPSHOT1);
            try (Instance instance = wasi.instantiate(module)) {
                Func start = wasi.startFunction(instance);
                assertThat(start.call()).isEmpty(); // main returned 0: no proc_exit trap
                assertThat(new String(wasi.stdout(), StandardCharsets.UTF_8)).isEqualTo("hello, world\n");
            }
        }
        try (Module plain = Module.compile(engine, TestModules.ADD);
                Store store = new Store(engine);
                WasiEnv wasi = WasiEnv.create(store, new WasiConfig("x"))) {
            assertThat(WasiEnv.version(plain)).isEqualTo(WasiVersion.INVALID);
            assertThatThrownBy(() -> wasi.imports(plain)).isInstanceOf(LinkException.class);
            try (Instance in = Instance.create(store, plain)) {
                assertThatThrownBy(() -> wasi.startFunction(in)).isInstanceOf(NoSuchExportException.class);
            }
        }
    }

    /** Regressions: libwasmer aborts on deleting an env never bound, and on binding an instance without memory. */
    @Test
    void unusedEnvironmentsAndMemorylessModulesDoNotAbort() {
        String noMemory = """
                (module (import "wasi_snapshot_preview1" "proc_exit" (func (param i32))) (func (export "_start")))""";
        try (Store store = new Store(engine);
                Module module = Module.compile(engine, noMemory)) {
            WasiEnv.create(store, new WasiConfig("unused")).close();
            WasiEnv.create(store, new WasiConfig("forgotten")); // left to the Cleaner
            try (WasiEnv wasi = WasiEnv.create(store, new WasiConfig("nomem"))) {
                assertThatThrownBy(() -> wasi.instantiate(module))
                        .isInstanceOf(LinkException.class)
                        .hasMessageContaining("must export a memory");
            }
        }
        System.gc();
    }

    @Test
    void aFilesystemThatIsNoWebcVolumeIsRefused() throws IOException {
        try (Store store = new Store(engine);
                Module module = Module.compile(engine, program("hello"))) {
            assertThatThrownBy(() -> WasiEnv.withFilesystem(
                            store,
                            new WasiConfig("fs"),
                            module,
                            "not a webc volume".getBytes(StandardCharsets.UTF_8),
                            "pkg"))
                    .isInstanceOf(WasmerException.class)
                    .hasMessageContaining("cannot create WASI environment");
            try (WasiEnv plain = WasiEnv.create(store, new WasiConfig("x"))) {
                assertThat(plain.filesystemImports()).isEmpty();
            }
        }
    }

    @Test
    void orderedImportsFollowTheModulesImportOrder() throws IOException {
        try (Module module = Module.compile(engine, program("hello"));
                Store store = new Store(engine);
                WasiEnv wasi = WasiEnv.create(store, new WasiConfig("hello"))) {
            List<Extern> imports = wasi.orderedImports(module);
            assertThat(imports).hasSize(module.imports().size());
            try (Instance instance = Instance.create(store, module, imports.toArray(Extern[]::new))) {
                wasi.initialize(instance);
                instance.func("_start").call();
                assertThat(new String(wasi.stdout(), StandardCharsets.UTF_8)).isEqualTo("hello, world\n");
            }
        }
        try (Module mixed = Module.compile(engine, """
                (module (import "wasi_snapshot_preview1" "proc_exit" (func (param i32)))
                  (import "env" "other" (func)) (memory (export "memory") 1))""");
                Store store = new Store(engine);
                WasiEnv wasi = WasiEnv.create(store, new WasiConfig("x"))) {
            assertThatThrownBy(() -> wasi.orderedImports(mixed))
                    .isInstanceOf(LinkException.class)
                    .hasMessageContaining("in order");
        }
    }

    @Test
    void badConfigIsRefusedClearly() {
        assertThatThrownBy(() -> new WasiConfig("p").mapDir("/x", Path.of("/no/such/dir")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("/no/such/dir");
        assertThatThrownBy(() -> new WasiConfig("p").env("A=B", "c")).isInstanceOf(IllegalArgumentException.class);
        assertThat(List.of(WasiVersion.values())).contains(WasiVersion.WASIX32V1);
    }
}
