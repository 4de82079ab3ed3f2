package dev.wasmerffm.pool;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wasmerffm.DeadlineExceededException;
import dev.wasmerffm.Engine;
import dev.wasmerffm.WasmerException;
import dev.wasmerffm.cache.ModuleCache;
import dev.wasmerffm.extism.PluginException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Extism plugins in the instance pool: the bytes call, limits per module, replacement at runtime. */
class PoolPluginTest {

    /** An Extism plugin in WAT: {@code echo} outputs its input, {@code fail} sets it as the error, {@code spin}. */
    static final String PLUGIN = """
            (module
              (import "extism:host/env" "input_offset" (func $in (result i64)))
              (import "extism:host/env" "input_length" (func $len (result i64)))
              (import "extism:host/env" "output_set" (func $out (param i64 i64)))
              (import "extism:host/env" "error_set" (func $err (param i64)))
              (func (export "echo") (result i32) (call $out (call $in) (call $len)) i32.const 0)
              (func (export "fail") (result i32) (call $err (call $in)) i32.const 3)
              (func (export "spin") (result i32) (loop br 0) i32.const 0)
              (memory 1)
              ;; 0 (success) when its memory cannot grow by 30 pages, 1 when it can
              (func (export "grow") (result i32) (i32.ne (memory.grow (i32.const 30)) (i32.const -1))))
            """;

    /** The same plugin's next version: {@code echo} outputs nothing. */
    static final String PLUGIN_V2 = """
            (module
              (import "extism:host/env" "input_offset" (func $in (result i64)))
              (func (export "echo") (result i32) i32.const 0))
            """;

    Engine engine;
    ModuleCache cache;
    WasmModules modules;
    WasmInstancePool pool;
    final List<String> configured = new ArrayList<>();
    /** What the pool's observer heard: module, function and outcome of each call, and instances made. */
    final List<String> observed = new java.util.concurrent.CopyOnWriteArrayList<>();

    @BeforeEach
    void setUp() {
        engine = new Engine();
        cache = new ModuleCache(engine);
        modules = WasmModules.builder(cache)
                .module("plugin.wat", "plugin", PLUGIN.getBytes(UTF_8))
                .module("add.wat", "add", WasmInstancePoolTest.bytes(WasmInstancePoolTest.ADD))
                .build();
        pool = WasmInstancePool.builder(modules)
                .limits(name -> new ModuleLimits(
                        Long.MAX_VALUE, name.equals("plugin") ? Duration.ofMillis(200) : Duration.ZERO, -1, 2))
                .plugins((name, builder) -> configured.add(name))
                .observer(new WasmerObserver() {
                    @Override
                    public void instantiated(String module, long nanos) {
                        observed.add("instantiated " + module);
                    }

                    @Override
                    public CallScope callStarted(String module, String function) {
                        return (nanos, points, failure) ->
                                observed.add(module + "." + function + " " + WasmerObserver.Outcome.of(failure));
                    }
                })
                .build();
    }

    @AfterEach
    void tearDown() {
        pool.close();
        modules.close();
        cache.close();
        engine.close();
    }

    @Test
    void aPluginsPointsUsedAreCountedLikeAModulesAlsoWhenTheyRunOut() {
        long budget = 1_000_000;
        List<Long> points = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (Engine metered = new Engine(new dev.wasmerffm.Config().metering(dev.wasmerffm.Metering.of(budget)));
                ModuleCache c = new ModuleCache(metered);
                WasmModules m = WasmModules.builder(c)
                        .module("plugin.wat", "plugin", PLUGIN.getBytes(UTF_8))
                        .build();
                WasmInstancePool p = WasmInstancePool.builder(m)
                        .observer(new WasmerObserver() {
                            @Override
                            public CallScope callStarted(String module, String function) {
                                return (nanos, used, failure) -> points.add(used);
                            }
                        })
                        .build()) {
            assertThat(p.call("plugin", "echo", "counted".getBytes(UTF_8))).isEqualTo("counted".getBytes(UTF_8));
            assertThat(points).hasSize(1);
            assertThat(points.getFirst()).isPositive().isLessThan(budget);
            assertThat(p.stats().get("plugin").consumedPoints()).isEqualTo(points.getFirst());
            assertThatThrownBy(() -> p.call("plugin", "spin", new byte[0]))
                    .isInstanceOf(dev.wasmerffm.MeteringExhaustedException.class);
            // the guest used all of its points; the kernel and the glue some of theirs
            assertThat(points).hasSize(2);
            assertThat(points.get(1)).isGreaterThanOrEqualTo(budget).isLessThan(4 * budget);
            assertThat(p.stats().get("plugin").consumedPoints()).isEqualTo(points.get(0) + points.get(1));
        }
    }

    /** Each file of {@code dir} with its identity: a file written again (to a temporary name, moved) is another. */
    static java.util.Map<String, Object> files(java.nio.file.Path dir) throws java.io.IOException {
        java.util.Map<String, Object> files = new java.util.TreeMap<>();
        try (var list = java.nio.file.Files.list(dir)) {
            for (java.nio.file.Path f : list.toList()) {
                files.put(
                        f.getFileName().toString(),
                        java.nio.file.Files.readAttributes(f, java.nio.file.attribute.BasicFileAttributes.class)
                                .fileKey());
            }
        }
        return files;
    }

    @Test
    void aPluginsKernelAndGuestAreCompiledOnceForADiskCacheNotAtEveryStart(
            @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.util.Map<String, Object> modulesOnly = null;
        java.util.Map<String, Object> afterFirstCall = null;
        for (int start = 0; start < 2; start++) {
            try (Engine e = new Engine();
                    ModuleCache c = ModuleCache.builder(e).directory(dir).build();
                    WasmModules m = WasmModules.builder(c)
                            .module("plugin.wat", "plugin", PLUGIN.getBytes(UTF_8))
                            .build();
                    WasmInstancePool p = WasmInstancePool.builder(m).build()) {
                if (start == 0) {
                    modulesOnly = files(dir);
                }
                assertThat(new String(p.call("plugin", "echo", "cached".getBytes(UTF_8)), UTF_8))
                        .isEqualTo("cached");
                if (start == 0) {
                    afterFirstCall = files(dir);
                }
            }
        }
        // the first call compiled the plugin (at least Extism's kernel, which no module of the registry is) and
        // stored what it compiled ...
        assertThat(afterFirstCall).containsAllEntriesOf(modulesOnly);
        assertThat(afterFirstCall.size()).isGreaterThan(modulesOnly.size());
        // ... and the second start loaded every artifact: a compile would have written its file again
        assertThat(files(dir)).isEqualTo(afterFirstCall);
    }

    @Test
    void aPluginModuleIsRecognisedByItsImportsAndCalledWithBytes() {
        assertThat(modules.get("plugin").pluginWasm()).isNotNull();
        assertThat(modules.get("add").pluginWasm()).isNull();
        assertThat(new String(pool.call("plugin", "echo", "héllo".getBytes(UTF_8)), UTF_8))
                .isEqualTo("héllo");
        assertThat(pool.call("plugin", "echo", new byte[0])).isEmpty();
        assertThat(configured)
                .as("the builder's plugin settings, once per module version")
                .containsExactly("plugin");
    }

    @Test
    void aPluginErrorKeepsThePluginAndADeadlineReplacesIt() {
        assertThatThrownBy(() -> pool.call("plugin", "fail", "no".getBytes(UTF_8)))
                .isInstanceOfSatisfying(PluginException.class, e -> {
                    assertThat(e.pluginMessage()).isEqualTo("no");
                    assertThat(e.returnCode()).isEqualTo(3);
                });
        assertThat(pool.stats().get("plugin").recycled()).isZero();
        assertThatThrownBy(() -> pool.call("plugin", "spin", new byte[0]))
                .isInstanceOf(DeadlineExceededException.class);
        WasmInstancePool.Stats stats = pool.stats().get("plugin");
        assertThat(stats.deadlines()).isEqualTo(1);
        assertThat(stats.recycled()).isEqualTo(1);
        assertThat(new String(pool.call("plugin", "echo", "again".getBytes(UTF_8)), UTF_8))
                .isEqualTo("again");
        assertThat(observed)
                .as("observers (the starter's metrics and observations) hear of plugin calls as of any")
                .containsExactly(
                        "instantiated plugin",
                        "plugin.fail ERROR",
                        "plugin.spin TRAP",
                        "instantiated plugin",
                        "plugin.echo SUCCESS");
    }

    /**
     * A virtual thread's call runs on a platform thread; the observer's hand-off (the starter's: the caller's
     * observation scope) reaches a plugin's host function there as it does a module's.
     */
    @Test
    void theObserversHandOffReachesAPluginsHostFunctionOnAVirtualThreadsCall() throws Exception {
        String relay = """
                (module
                  (import "extism:host/env" "input_offset" (func $in (result i64)))
                  (import "extism:host/env" "input_length" (func $len (result i64)))
                  (import "extism:host/env" "output_set" (func $out (param i64 i64)))
                  (import "extism:host/user" "probe" (func $probe (param i64) (result i64)))
                  (func (export "relay") (result i32)
                    (call $out (call $probe (call $in)) (call $len)) i32.const 0))
                """;
        ThreadLocal<String> context = new ThreadLocal<>();
        List<String> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (WasmModules relayModules = WasmModules.builder(cache)
                        .module("relay.wat", "relay", relay.getBytes(UTF_8))
                        .build();
                WasmInstancePool relayPool = WasmInstancePool.builder(relayModules)
                        .plugins((name, builder) -> builder.hostFunction("probe", in -> {
                            seen.add((Thread.currentThread().isVirtual() ? "virtual " : "platform ") + context.get());
                            return in;
                        }))
                        .observer(new WasmerObserver() {
                            @Override
                            public Runnable handOff(Runnable call) {
                                return dev.wasmerffm.HandOffs.carrying(context).apply(call);
                            }
                        })
                        .build()) {
            CompletableFuture<byte[]> out = new CompletableFuture<>();
            Thread.ofVirtual().start(() -> {
                context.set("request 7");
                try {
                    out.complete(relayPool.call("relay", "relay", "x".getBytes(UTF_8)));
                } catch (Throwable e) {
                    out.completeExceptionally(e);
                }
            });
            assertThat(new String(out.get(30, TimeUnit.SECONDS), UTF_8)).isEqualTo("x");
            assertThat(seen).containsExactly("platform request 7");
        }
    }

    @Test
    void theBytesCallRefusesAModuleThatIsNoPluginAndAPluginHasNoInstance() {
        assertThatThrownBy(() -> pool.call("add", "add", new byte[0]))
                .isInstanceOf(WasmerException.class)
                .hasMessageContaining("'add' is not an Extism plugin");
        assertThatThrownBy(() -> pool.call("plugin", "echo", instance -> instance))
                .isInstanceOf(WasmerException.class)
                .hasMessageContaining("'plugin' is an Extism plugin");
        assertThat(pool.call("add", "add", 40, 2)).containsExactly(42);
    }

    @Test
    void aPluginReplacedAtRuntimeIsCompiledAgainAndTheOldOneFreed() {
        assertThat(pool.call("plugin", "echo", "v1".getBytes(UTF_8))).isEqualTo("v1".getBytes(UTF_8));
        modules.register("plugin", PLUGIN_V2.getBytes(UTF_8));
        assertThat(pool.call("plugin", "echo", "v2".getBytes(UTF_8))).isEmpty();
        assertThat(configured).containsExactly("plugin", "plugin");
    }

    @Test
    void theModulesMemoryLimitHoldsForThePlugin() {
        try (WasmInstancePool limited = WasmInstancePool.builder(modules)
                .limits(new ModuleLimits(Long.MAX_VALUE, Duration.ZERO, 20 * 65536, 1))
                .build()) {
            assertThat(limited.call("plugin", "grow", new byte[0]))
                    .as("growing to 31 pages past the limit of 20 (the kernel needs 16) fails")
                    .isEmpty();
        }
        assertThatThrownBy(() -> pool.call("plugin", "grow", new byte[0]))
                .as("without a limit it grows (the function then returns 1)")
                .isInstanceOfSatisfying(
                        PluginException.class, e -> assertThat(e.returnCode()).isEqualTo(1));
    }

    @Test
    void stopCallsEndsARunningPluginCallAndNoneStartsAfter() throws Exception {
        try (WasmInstancePool longCalls = WasmInstancePool.builder(modules)
                .limits(new ModuleLimits(Long.MAX_VALUE, Duration.ofSeconds(60), -1, 1))
                .build()) {
            longCalls.call("plugin", "echo", new byte[0]); // compiled and made before the race
            CompletableFuture<byte[]> running =
                    CompletableFuture.supplyAsync(() -> longCalls.call("plugin", "spin", new byte[0]));
            while (longCalls.stats().get("plugin").inUse() == 0) {
                Thread.sleep(5);
            }
            Thread.sleep(200); // into the loop
            long t0 = System.nanoTime();
            longCalls.stopCalls();
            assertThatThrownBy(() -> running.get(30, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .cause()
                    .isInstanceOf(DeadlineExceededException.class);
            assertThat((System.nanoTime() - t0) / 1_000_000)
                    .as("ended by stopCalls, not its 60 s deadline")
                    .isLessThan(10_000);
            assertThatThrownBy(() -> longCalls.call("plugin", "echo", new byte[0]))
                    .isInstanceOf(PoolClosedException.class);
        }
    }

    @Test
    void pluginsAreLentOnePerBorrowerUpToThePoolSize() throws Exception {
        try (WasmInstancePool.Lease a = pool.borrow("plugin");
                WasmInstancePool.Lease b = pool.borrow("plugin")) {
            assertThat(a.plugin()).isNotSameAs(b.plugin());
            assertThat(a.plugin().call("echo", "a")).isEqualTo("a");
            assertThat(pool.stats().get("plugin").inUse()).isEqualTo(2);
        }
        assertThat(pool.stats().get("plugin").idle()).isEqualTo(2);
    }
}
