package dev.wasmerffm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wasmerffm.internal.Loader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The foundation: the real libwasmer loads, reports its version and runs a WAT module. */
class SmokeTest {

    @Test
    void loadsTheRealLibraryAndReportsItsVersion() {
        Path lib = WasmerLibrary.load();
        assertThat(lib).exists().isRegularFile();
        Wasmer.Version v = Wasmer.version();
        String pinned = Loader.buildProperties().getProperty("wasmer.version");
        assertThat(v.full()).isEqualTo(pinned);
        assertThat(v.major() + "." + v.minor() + "." + v.patch()).isEqualTo(pinned);
        assertThat(v.pre()).isEmpty();
    }

    @Test
    void compilesInstantiatesAndCallsAdd() {
        try (Engine engine = new Engine();
                Store store = new Store(engine);
                Module module = Module.compile(engine, TestModules.ADD);
                Instance instance = Instance.create(store, module)) {
            assertThat(instance.func("add").call(40, 2)).containsExactly(42);
            assertThat(instance.func("add").asIntBinaryOperator().applyAsInt(40, 2))
                    .isEqualTo(42);
        }
    }

    /** In a fresh JVM, since this one has loaded the library already: a wrong path names itself and the fix. */
    @Test
    void aWrongLibraryPathGivesTheClearError() throws Exception {
        Path missing = Path.of("/nonexistent/libwasmer.so");
        ChildJvm.Result child = ChildJvm.exec(
                new ProcessBuilder(ChildJvm.java(
                        List.of("-D" + WasmerLibrary.PATH_PROPERTY + "=" + missing),
                        System.getProperty("java.class.path"),
                        LoadProbe.class)),
                Duration.ofSeconds(60));
        String out = child.output();
        assertThat(child.exitCode()).as(out).isEqualTo(3);
        assertThat(out)
                .contains(
                        "WasmerLibraryException",
                        "libwasmer not found",
                        missing.toString(),
                        "system property wasmer.library.path",
                        "build-libwasmer.sh");
    }

    /** Entry point of the child JVM above. */
    static final class LoadProbe {
        public static void main(String[] args) {
            try {
                WasmerLibrary.load();
                System.exit(0);
            } catch (WasmerLibraryException e) {
                System.out.println(e);
                System.exit(3);
            }
        }
    }

    @Test
    void theBuildCacheDirectoryMatchesTheBuildScript() throws Exception {
        Path dir = Loader.buildCacheDirectory();
        assertThat(dir.getFileName().toString()).matches("wasmer-[0-9.]+-[0-9a-f]{12}");
        if (System.getenv("WASMER_DIR") == null) {
            assertThat(dir.resolve("lib").resolve(Loader.FILE_NAME)).exists();
            assertThat(Files.list(dir.resolve("include"))
                            .map(p -> p.getFileName().toString())
                            .toList())
                    .containsAll(List.of("wasm.h", "wasmer.h"));
        }
    }

    @Test
    void unknownExportIsATypedError() {
        try (Engine engine = new Engine();
                Store store = new Store(engine);
                Module module = Module.compile(engine, TestModules.ADD);
                Instance instance = Instance.create(store, module)) {
            assertThatThrownBy(() -> instance.func("sub"))
                    .isInstanceOf(NoSuchExportException.class)
                    .hasMessageContaining("'sub'")
                    .hasMessageContaining("[add]");
        }
    }
}
