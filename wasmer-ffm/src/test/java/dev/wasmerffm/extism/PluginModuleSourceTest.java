package dev.wasmerffm.extism;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wasmerffm.CompileException;
import dev.wasmerffm.Engine;
import dev.wasmerffm.Module;
import dev.wasmerffm.cache.ModuleCache;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** {@link Plugin.Builder#modules}: where a plugin's kernel and guest come from, and who closes them. */
class PluginModuleSourceTest {

    /** An Extism plugin whose {@code echo} outputs its input. */
    static final byte[] ECHO = PluginPointsTest.PLUGIN;

    /** A source over a memory cache of the plugin's engine, noting what it was asked and whether it was closed. */
    static final class Noting implements Plugin.ModuleSource {
        final ModuleCache cache;
        final Function<byte[], Module> get;
        final List<Module> given = new ArrayList<>();
        boolean closed;

        Noting(Engine engine, Function<ModuleCache, Function<byte[], Module>> get) {
            this.cache = new ModuleCache(engine);
            this.get = get.apply(cache);
        }

        @Override
        public Module get(byte[] wasm) {
            Module m = get.apply(wasm);
            given.add(m);
            return m;
        }

        @Override
        public void close() {
            closed = true;
            cache.close();
        }
    }

    @Test
    void theKernelAndTheGuestComeFromTheSourceWhichIsClosedWithThePlugin() {
        List<Noting> sources = new ArrayList<>();
        CompiledPlugin compiled = Plugin.builder()
                .wasm(ECHO)
                .modules(engine -> {
                    Noting n = new Noting(engine, cache -> cache::get);
                    sources.add(n);
                    return n;
                })
                .compile();
        Noting source = sources.getFirst();
        try (Plugin p = compiled.instantiate()) {
            assertThat(new String(p.call("echo", "from the source".getBytes(UTF_8)), UTF_8))
                    .isEqualTo("from the source");
        }
        assertThat(source.given).hasSize(2).doesNotContainNull();
        assertThat(source.closed).isFalse();
        compiled.close();
        assertThat(source.closed).isTrue();
        assertThat(source.given).allMatch(Module::isClosed);
    }

    @Test
    void aSourceThatFailsForTheGuestFailsTheCompileAndIsClosed() {
        List<Noting> sources = new ArrayList<>();
        byte[] notWasm = {0, 'a', 's', 'm', 9, 9, 9, 9};
        assertThatThrownBy(() -> Plugin.builder()
                        .wasm(notWasm)
                        .modules(engine -> {
                            Noting n = new Noting(engine, cache -> cache::get);
                            sources.add(n);
                            return n;
                        })
                        .compile())
                .isInstanceOf(CompileException.class);
        assertThat(sources.getFirst().closed).isTrue();
        assertThat(sources.getFirst().given).hasSize(1).allMatch(Module::isClosed); // the kernel, given before
    }

    @Test
    void aModuleOfAnotherEngineOrNoneIsRefusedNamingWhatItWasFor() {
        try (Engine other = new Engine();
                Module foreign = Module.compile(other, ECHO)) {
            List<Noting> sources = new ArrayList<>();
            assertThatThrownBy(() -> Plugin.builder()
                            .name("echoes")
                            .wasm(ECHO)
                            .modules(engine -> {
                                Noting n = new Noting(
                                        engine,
                                        cache -> wasm ->
                                                java.util.Arrays.equals(wasm, ECHO) ? foreign : cache.get(wasm));
                                sources.add(n);
                                return n;
                            })
                            .compile())
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("the module source of plugin echoes gave a module of another engine for its guest");
            assertThat(sources.getFirst().closed).isTrue();
            assertThat(foreign.isClosed())
                    .as("the source's, not the plugin's to close")
                    .isFalse();
            assertThatThrownBy(() -> Plugin.builder()
                            .name("nothing")
                            .wasm(ECHO)
                            .modules(engine -> new Noting(engine, cache -> wasm -> null))
                            .compile())
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("the module source of plugin nothing gave no module for its kernel");
        }
    }
}
