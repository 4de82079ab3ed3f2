package dev.wasmerffm.pool;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wasmerffm.Config;
import dev.wasmerffm.Engine;
import dev.wasmerffm.Wasmer;
import dev.wasmerffm.WasmerException;
import dev.wasmerffm.cache.ModuleCache;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The module registry in plain Java: files and bytes in, modules by name out, replaceable at runtime. */
class WasmModulesTest {

    Engine engine;
    ModuleCache cache;

    static byte[] bytes(String wat) {
        return wat.getBytes(UTF_8);
    }

    @BeforeEach
    void setUp() {
        engine = new Engine();
        cache = new ModuleCache(engine);
    }

    @AfterEach
    void tearDown() {
        cache.close();
        engine.close();
    }

    @Test
    void modulesAreRegisteredUnderTheirFileNameWithoutExtension(@TempDir Path dir) throws Exception {
        Path add = Files.write(dir.resolve("add.wasm"), Wasmer.wat2wasm(bytes(WasmInstancePoolTest.ADD)));
        Path counter = Files.writeString(dir.resolve("counter.wat"), WasmInstancePoolTest.COUNTER);
        try (WasmModules modules = WasmModules.builder(cache)
                .module(add)
                .module(counter)
                .module("my.plugin.wat", "memory:plugin", bytes(WasmInstancePoolTest.ADD))
                .build()) {
            assertThat(modules.all())
                    .extracting(WasmModules.Entry::name)
                    .containsExactly("add", "counter", "my.plugin");
            WasmModules.Entry entry = modules.get("add");
            assertThat(entry.location()).isEqualTo(add.toUri().toString());
            assertThat(entry.module().exports()).extracting(e -> e.name()).containsExactly("add");
            assertThat(entry.cache()).isSameAs(cache);
            assertThat(modules.cacheState(entry)).isEqualTo("memory");
            assertThat(modules.get("my.plugin").location()).isEqualTo("memory:plugin");
            assertThat(modules.contains("counter")).isTrue();
            assertThat(modules.contains("counter.wat")).isFalse();
            assertThat(modules.cache()).isSameAs(cache);
        }
        assertThatThrownBy(() -> WasmModules.builder(cache).module(dir.resolve("absent.wasm")))
                .isInstanceOf(UncheckedIOException.class)
                .hasMessageContaining("absent.wasm");
    }

    @Test
    void twoFilesOfOneNameFailTheBuild() {
        assertThatThrownBy(() -> WasmModules.builder(cache)
                        .module("add.wat", "first", bytes(WasmInstancePoolTest.ADD))
                        .module("add.wasm", "second", Wasmer.wat2wasm(bytes(WasmInstancePoolTest.ADD)))
                        .build())
                .isInstanceOfSatisfying(WasmModuleLoadException.class, e -> {
                    assertThat(e.module()).isEqualTo("add");
                    assertThat(e.location()).isEqualTo("second");
                    assertThat(e).hasMessageContaining("another module has that name: first");
                    assertThat(e.fix()).startsWith("Rename one of the files");
                });
    }

    /** The failure of loading {@code file} with {@code contents} as the only module, by a registry over {@code cache}. */
    static WasmModuleLoadException failure(ModuleCache cache, String file, byte[] contents) {
        try {
            WasmModules.builder(cache).module(file, "at/" + file, contents).build();
        } catch (WasmModuleLoadException e) {
            return e;
        }
        throw new AssertionError(file + " loaded");
    }

    @Test
    void aModuleThatDoesNotLoadSaysWhyAndWhatToChange() {
        WasmModuleLoadException notWasm = failure(cache, "notwasm.wasm", bytes("this is not wasm"));
        assertThat(notWasm)
                .hasMessageStartingWith("WebAssembly module 'notwasm' (at/notwasm.wasm) cannot be loaded: invalid WAT")
                .hasCauseInstanceOf(WasmerException.class);
        assertThat(notWasm.fix()).contains("not a WebAssembly binary");
        assertThat(notWasm.location()).isEqualTo("at/notwasm.wasm");
        assertThat(failure(cache, "syntax.wat", bytes("(module (func")).fix())
                .startsWith("Correct the WebAssembly text at the line and column");
        assertThat(failure(cache, "invalid.wat", bytes("(module (func (result i32) i64.const 0))"))
                        .fix())
                .startsWith("The module is not valid for this engine");
        try (Engine small = new Engine(new Config().maxMemory(64 * 1024));
                ModuleCache smallCache = new ModuleCache(small)) {
            WasmModuleLoadException big = failure(smallCache, "big.wat", bytes("(module (memory 10))"));
            assertThat(big).hasMessageContaining("above the limit of 1 pages");
            assertThat(big.fix()).startsWith("Raise");
        }
    }

    @Test
    void anUnknownModuleNamesTheRegisteredOnesAndWhereModulesWereLookedFor() {
        try (WasmModules modules = WasmModules.builder(cache)
                .locations(List.of("plugins/*.wasm"))
                .module("add.wat", "add", bytes(WasmInstancePoolTest.ADD))
                .build()) {
            assertThatThrownBy(() -> modules.get("text")).isInstanceOfSatisfying(UnknownModuleException.class, e -> {
                assertThat(e.name()).isEqualTo("text");
                assertThat(e.module()).isEqualTo("text");
                assertThat(e.registered()).containsExactly("add");
                assertThat(e.locations()).containsExactly("plugins/*.wasm");
                assertThat(e).hasMessage("no WebAssembly module named 'text'; registered: [add]");
                assertThat(e.fix())
                        .startsWith("Add text.wasm or text.wat at one of")
                        .contains("[plugins/*.wasm]");
            });
        }
        try (WasmModules modules = WasmModules.builder(cache).build()) {
            assertThatThrownBy(() -> modules.get("text"))
                    .isInstanceOfSatisfying(UnknownModuleException.class, e -> assertThat(e.fix())
                            .isEqualTo("Register module 'text', or use one of the registered names []."));
        }
    }

    @Test
    void modulesAreRegisteredReplacedAndRemovedAtRuntimeAndListenersHearOfEach() {
        try (WasmModules modules = WasmModules.builder(cache).build()) {
            List<String> changed = new ArrayList<>();
            modules.onChange(changed::add);
            WasmModules.Entry v1 = modules.register("plugin", WasmInstancePoolTest.version(1));
            assertThat(v1.location()).isEqualTo("registered at runtime");
            assertThat(modules.get("plugin")).isEqualTo(v1);
            WasmModules.Entry v2 = modules.register("plugin", WasmInstancePoolTest.version(2));
            assertThat(modules.get("plugin").module()).isSameAs(v2.module()).isNotSameAs(v1.module());
            assertThat(changed).containsExactly("plugin", "plugin");

            assertThatThrownBy(() -> modules.register("../x", WasmInstancePoolTest.version(3)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("letters, digits");
            assertThatThrownBy(() -> modules.register("plugin", bytes("(module (func")))
                    .isInstanceOfSatisfying(WasmModuleLoadException.class, e -> {
                        assertThat(e).hasMessageContaining("'plugin' (registered at runtime)");
                        assertThat(e.fix()).contains("not a WebAssembly binary");
                    });
            assertThat(modules.get("plugin").module())
                    .as("a refused module changes nothing")
                    .isSameAs(v2.module());

            assertThat(modules.remove("plugin")).isTrue();
            assertThat(modules.remove("plugin")).isFalse();
            assertThat(modules.contains("plugin")).isFalse();
            assertThat(changed).containsExactly("plugin", "plugin", "plugin");
        }
    }

    @Test
    void aCheckRefusesAModuleBeforeItIsRegistered() {
        try (WasmModules modules = WasmModules.builder(cache).build()) {
            List<String> changed = new ArrayList<>();
            modules.onChange(changed::add);
            modules.checkOnRegister(e -> {
                if (!e.module().imports().isEmpty()) {
                    throw new WasmImportException(e.name(), "module '" + e.name() + "' imports", "Import nothing.");
                }
            });
            assertThatThrownBy(() -> modules.register("host", bytes("(module (import \"env\" \"gone\" (func)))")))
                    .isInstanceOfSatisfying(WasmImportException.class, e -> {
                        assertThat(e.module()).isEqualTo("host");
                        assertThat(e.fix()).isEqualTo("Import nothing.");
                    });
            assertThat(modules.contains("host")).isFalse();
            assertThat(changed).isEmpty();
            modules.register("plugin", WasmInstancePoolTest.version(1));
            assertThat(changed).containsExactly("plugin");
        }
    }

    @Test
    void aModuleWithACacheOfItsOwnIsCompiledByItsEngineWhichTheRegistryCloses() {
        Engine own = new Engine(new Config().maxMemory(128 * 1024));
        ModuleCache ownCache = new ModuleCache(own);
        Function<String, ModuleCache> cacheOf = name -> name.equals("counter") ? ownCache : cache;
        WasmModules modules = WasmModules.builder(cache)
                .cacheOf(cacheOf)
                .module("counter.wat", "counter", bytes(WasmInstancePoolTest.COUNTER))
                .module("add.wat", "add", bytes(WasmInstancePoolTest.ADD))
                .build();
        assertThat(modules.get("counter").cache()).isSameAs(ownCache);
        assertThat(modules.get("counter").module().engine().config().maxMemoryPages())
                .isEqualTo(2);
        assertThat(modules.get("add").cache()).isSameAs(cache);
        modules.close();
        assertThat(own.isClosed()).isTrue();
        assertThat(engine.isClosed())
                .as("the shared cache is its owner's to close")
                .isFalse();
    }
}
