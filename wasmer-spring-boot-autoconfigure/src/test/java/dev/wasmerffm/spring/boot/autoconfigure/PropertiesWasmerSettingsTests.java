package dev.wasmerffm.spring.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wasmerffm.Backend;
import dev.wasmerffm.Config;
import dev.wasmerffm.Engine;
import dev.wasmerffm.Feature;
import dev.wasmerffm.Instance;
import dev.wasmerffm.Metering;
import dev.wasmerffm.Module;
import dev.wasmerffm.Store;
import dev.wasmerffm.StoreLimitException;
import dev.wasmerffm.WasmerLibrary;
import dev.wasmerffm.cache.ModuleCache;
import dev.wasmerffm.pool.ModuleLimits;
import dev.wasmerffm.pool.WasmInstancePool;
import dev.wasmerffm.pool.WasmModules;
import dev.wasmerffm.spring.boot.autoconfigure.WasmerProperties.ModuleSettings;
import dev.wasmerffm.wasi.WasiEnv;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.cache.concurrent.ConcurrentMapCache;
import org.springframework.cache.concurrent.ConcurrentMapCacheManager;
import org.springframework.util.unit.DataSize;

/** The mapping of {@code wasmer.*} to the binding's types, on plain properties objects: merges, defaults, refusals. */
class PropertiesWasmerSettingsTests {

    static final String KEY = "a secret of thirty-two characters or more";

    final WasmerProperties properties = new WasmerProperties();
    final PropertiesWasmerSettings settings = new PropertiesWasmerSettings(properties);

    @BeforeAll
    static void load() {
        WasmerLibrary.load();
    }

    ModuleSettings module(String name) {
        return properties.getModules().getSettings().computeIfAbsent(name, n -> new ModuleSettings());
    }

    static void refused(ThrowingCallable call, String property, Object value, String reason) {
        assertThatThrownBy(call).isInstanceOfSatisfying(InvalidConfigurationPropertyValueException.class, e -> {
            assertThat(e.getName()).isEqualTo(property);
            assertThat(e.getValue()).isEqualTo(value);
            assertThat(e.getReason()).contains(reason);
        });
    }

    // the engine

    @Test
    void defaultPropertiesGiveTheBindingsDefaultConfigButDeadlines() {
        Config mapped = settings.engineConfig();
        assertThat(mapped.deadlines()).as("for the default call timeout").isTrue();
        properties.getLimits().setCallTimeout(Duration.ZERO);
        mapped = settings.engineConfig();
        Config library = new Config();
        assertThat(mapped.backend()).isEqualTo(library.backend());
        assertThat(mapped.features()).isEqualTo(library.features()).isEmpty();
        assertThat(mapped.target()).isEqualTo(library.target()).isNull();
        assertThat(mapped.canonicalizeNans()).isEqualTo(library.canonicalizeNans());
        assertThat(mapped.metering()).isNull();
        assertThat(mapped.deadlines()).isEqualTo(library.deadlines()).isFalse();
        assertThat(mapped.maxMemoryPages()).isEqualTo(library.maxMemoryPages());
        assertThat(mapped.maxTableElements()).isEqualTo(library.maxTableElements());
    }

    @Test
    void everyEnginePropertyReachesTheConfig() {
        properties.setBackend(Backend.SINGLEPASS);
        properties.getFeatures().put(Feature.SIMD, false);
        properties.setCanonicalizeNans(true);
        properties.getTarget().setCpuFeatures(List.of("sse2", "avx"));
        properties.getMetering().setEnabled(true);
        properties.getMetering().setInitialPoints(5000);
        properties.getMetering().getCosts().put("Loop", 7L);
        properties.getLimits().setMaxMemory(DataSize.ofMegabytes(2));
        properties.getLimits().setMaxTableElements(100L);
        Config config = settings.engineConfig();
        assertThat(config.backend()).isEqualTo(Backend.SINGLEPASS);
        assertThat(config.features()).containsExactly(Map.entry(Feature.SIMD, false));
        assertThat(config.canonicalizeNans()).isTrue();
        assertThat(config.target().isHost()).isTrue();
        assertThat(config.target().cpuFeatures()).containsExactlyInAnyOrder("sse2", "avx");
        assertThat(config.metering().initialPoints()).isEqualTo(5000);
        assertThat(config.metering().cost("Loop")).isEqualTo(7);
        assertThat(config.metering().cost("Call")).as("not listed").isEqualTo(1);
        assertThat(config.maxMemoryPages()).isEqualTo(32);
        assertThat(config.maxTableElements()).isEqualTo(100);
        assertThat(config.deadlines()).as("metered").isTrue();
    }

    @Test
    void theDefaultCallTimeoutCompilesWithDeadlinesAndZeroTurnsItOff() {
        assertThat(settings.engineConfig().deadlines()).as("the 10 s default").isTrue();
        assertThat(settings.engineConfig().metering())
                .as("points no call exhausts")
                .extracting(Metering::initialPoints)
                .isEqualTo(Long.MAX_VALUE);
        properties.getLimits().setCallTimeout(Duration.ZERO);
        assertThat(settings.engineConfig().deadlines()).isFalse();
        properties.getLimits().setCallTimeout(Duration.ofSeconds(1));
        assertThat(settings.engineConfig().deadlines()).isTrue();
    }

    /** One module's deadline never changes another's compile: only the module whose settings differ gets its own. */
    @Test
    void aModulesOwnDeadlineOrPointsCompileOnlyThatModuleOtherwise() {
        properties.getLimits().setCallTimeout(Duration.ZERO);
        Config engine = settings.engineConfig();
        module("spin").setCallTimeout(Duration.ofMillis(40));
        module("add").setPoolSize(2);
        module("counter").setPoints(500L);
        Map<String, Config> own = settings.moduleConfigs(engine);
        assertThat(own).containsOnlyKeys("spin", "counter");
        assertThat(own.get("spin").deadlines()).isTrue();
        assertThat(own.get("counter").metering()).as("metered for its points").isNotNull();
        assertThat(settings.engineConfig().deadlines()).as("the others' engine").isFalse();

        properties.getLimits().setCallTimeout(null); // the default: deadlines for every module but one turned off
        module("spin").setCallTimeout(Duration.ZERO);
        own = settings.moduleConfigs(settings.engineConfig());
        assertThat(own).containsOnlyKeys("spin");
        assertThat(own.get("spin").deadlines())
                .as("unmetered, so batches run on it")
                .isFalse();
        assertThat(own.get("spin").metering()).isNull();

        properties.getMetering().setEnabled(true); // metered for points: 0 cannot turn that off
        assertThat(settings.moduleConfigs(settings.engineConfig())).isEmpty();
    }

    @Test
    void meteringThatIsOffIsStillCheckedButUnknownOperatorsOnlyWhenOn() {
        properties.getMetering().setInitialPoints(-5);
        refused(settings::engineConfig, "wasmer.metering.initial-points", -5L, "initial points must be >= 0, got -5");
        properties.getMetering().setInitialPoints(5);
        properties.getMetering().getCosts().put("Call", 10L);
        properties.getMetering().getCosts().put("MemoryGrow", -1L);
        refused(settings::engineConfig, "wasmer.metering.costs.MemoryGrow", -1L, "negative cost -1 for operator");
        properties.getMetering().getCosts().remove("MemoryGrow");
        properties.getMetering().getCosts().put("Cal", 1L);
        properties.getLimits().setCallTimeout(Duration.ZERO); // no deadlines, which meter with points no call exhausts
        assertThat(settings.engineConfig().metering()).as("off").isNull();
        properties.getMetering().setEnabled(true);
        refused(settings::engineConfig, "wasmer.metering.costs.Cal", 1L, "no operator named 'Cal'");
    }

    @Test
    void memoryAndTableLimitsAreChecked() {
        properties.getLimits().setMaxMemory(DataSize.ofKilobytes(63));
        refused(settings::engineConfig, "wasmer.limits.max-memory", DataSize.ofKilobytes(63), "one WebAssembly page");
        properties.getLimits().setMaxMemory(DataSize.ofKilobytes(64));
        assertThat(settings.engineConfig().maxMemoryPages()).isEqualTo(1);
        properties.getLimits().setMaxTableElements(-1L);
        refused(settings::engineConfig, "wasmer.limits.max-table-elements", -1L, "maxTableElements must be >= 0");
    }

    @Test
    void aVerbosityAboveTraceIsRefusedBeforeTheBindingSeesIt() {
        properties.getTracing().setVerbosity(5);
        refused(settings::loadLibrary, "wasmer.tracing.verbosity", 5, "must be 0 (off) to 4 (trace)");
        properties.getTracing().setVerbosity(-1);
        refused(settings::loadLibrary, "wasmer.tracing.verbosity", -1, "verbosity must be >= 0, got -1");
    }

    @Test
    void modulesWithAMemoryLimitOfTheirOwnGetAnEngineConfigOfTheirOwn() {
        Config engine = new Config().backend(Backend.SINGLEPASS).maxMemory(16 << 20);
        module("counter").setMaxMemory(DataSize.ofKilobytes(128));
        module("add").setPoolSize(1);
        Map<String, Config> own = settings.moduleConfigs(engine);
        assertThat(own).containsOnlyKeys("counter");
        assertThat(own.get("counter").maxMemoryPages()).isEqualTo(2);
        assertThat(own.get("counter").backend()).isEqualTo(Backend.SINGLEPASS);
        assertThat(engine.maxMemoryPages()).as("a copy").isEqualTo(256);
        module("add").setMaxMemory(DataSize.ofBytes(100));
        refused(
                () -> settings.moduleConfigs(engine),
                "wasmer.modules.settings.add.max-memory",
                DataSize.ofBytes(100),
                "one WebAssembly page");
    }

    // the Store bean and the module cache

    @Test
    void theStoreBeanMakesAtMostMaxInstances() throws IOException {
        properties.getStore().setMaxInstances(1);
        try (Engine engine = new Engine();
                Module add = Module.compile(engine, wat("wasm/add.wat"));
                Store store = settings.store(engine)) {
            Instance.create(store, add).close();
            assertThatThrownBy(() -> Instance.create(store, add)).isInstanceOf(StoreLimitException.class);
            properties.getStore().setMaxInstances(0);
            refused(() -> settings.store(engine), "wasmer.store.max-instances", 0, "at least 1, got 0");
        }
    }

    @Test
    void theCacheIsOnDiskWithTheGivenKeyAndNoKeyFile(@TempDir Path dir) throws IOException {
        properties.getCache().setDirectory(dir);
        properties.getCache().setKey(KEY);
        try (Engine engine = new Engine();
                ModuleCache cache = settings.moduleCache(engine, () -> null)) {
            cache.get(wat("wasm/add.wat"));
            assertThat(cache.stats().compiles()).isEqualTo(1);
        }
        try (Engine engine = new Engine();
                ModuleCache cache = settings.moduleCache(engine, () -> null)) {
            cache.get(wat("wasm/add.wat"));
            assertThat(cache.stats().diskLoads()).as("sealed with the same key").isEqualTo(1);
        }
        assertThat(dir.resolve(".mac-key")).doesNotExist();
        properties.getCache().setEnabled(false);
        try (Engine engine = new Engine();
                ModuleCache cache = settings.moduleCache(engine, () -> null)) {
            cache.get(wat("wasm/add.wat"));
            assertThat(cache.stats().compiles()).as("memory only").isEqualTo(1);
        }
    }

    @Test
    void cacheValuesAreCheckedEvenWhenTheirLevelIsOff() {
        properties.getCache().setEnabled(false);
        try (Engine engine = new Engine()) {
            properties.getCache().setMaxSize(DataSize.ofMegabytes(-1));
            refused(
                    () -> settings.moduleCache(engine, () -> null),
                    "wasmer.cache.max-size",
                    DataSize.ofMegabytes(-1),
                    "maxDiskBytes must be >= 0");
            properties.getCache().setMaxSize(DataSize.ofMegabytes(1));
            properties.getCache().setKey("short");
            refused(
                    () -> settings.moduleCache(engine, () -> null),
                    "wasmer.cache.key",
                    "short",
                    "an artifact key needs at least 32 bytes, got 5");
            properties.getCache().setKey(null);
            properties.getCache().getShared().setKey("short");
            refused(
                    () -> settings.moduleCache(engine, () -> null),
                    "wasmer.cache.shared.key",
                    "short",
                    "an artifact key needs at least 32 bytes, got 5");
        }
    }

    @Test
    void theSharedLevelNeedsItsKeyAndOneCacheManager() throws IOException {
        properties.getCache().setEnabled(false);
        properties.getCache().getShared().setEnabled(true);
        properties.getCache().getShared().setCacheName("modules");
        try (Engine engine = new Engine()) {
            refused(
                    () -> settings.moduleCache(engine, () -> null),
                    "wasmer.cache.shared.key",
                    null,
                    "is required when wasmer.cache.shared.enabled=true");
            properties.getCache().getShared().setKey(KEY);
            assertThatThrownBy(() -> settings.moduleCache(engine, () -> null))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("needs one CacheManager bean");
            ConcurrentMapCacheManager manager = new ConcurrentMapCacheManager("modules");
            try (ModuleCache cache = settings.moduleCache(engine, () -> manager)) {
                cache.get(wat("wasm/add.wat"));
            }
            assertThat(((ConcurrentMapCache) manager.getCache("modules")).getNativeCache())
                    .hasSize(1);
            try (ModuleCache cache = settings.moduleCache(engine, () -> manager)) {
                cache.get(wat("wasm/add.wat"));
                assertThat(cache.stats().sharedLoads()).isEqualTo(1);
            }
        }
    }

    // the pool

    @Test
    void aModulesLimitsAreItsSettingsOverTheGlobalOnes() {
        properties.getPool().setSize(3);
        properties.getLimits().setCallTimeout(Duration.ofSeconds(1));
        properties.getLimits().setMaxMemory(DataSize.ofMegabytes(16));
        module("spin").setPoints(5000L);
        module("spin").setCallTimeout(Duration.ofMillis(40));
        module("spin").setMaxMemory(DataSize.ofKilobytes(128));
        module("spin").setPoolSize(1);
        module("add").setPoolSize(2);
        Function<String, ModuleLimits> limits =
                settings.moduleLimits(new Config().metering(Metering.of(1000)), Map.of());
        assertThat(limits.apply("spin")).isEqualTo(new ModuleLimits(5000, Duration.ofMillis(40), 128 * 1024, 1));
        assertThat(limits.apply("add")).isEqualTo(new ModuleLimits(1000, Duration.ofSeconds(1), 16 << 20, 2));
        assertThat(limits.apply("other")).isEqualTo(new ModuleLimits(1000, Duration.ofSeconds(1), 16 << 20, 3));
    }

    @Test
    void withoutSettingsAModuleHasNoLimitButItsPoolSize() {
        properties.getPool().setSize(4);
        assertThat(settings.moduleLimits(new Config(), Map.of()).apply("any"))
                .as("an application's engine without deadlines: points no call exhausts, no deadline, no memory limit")
                .isEqualTo(new ModuleLimits(Long.MAX_VALUE, Duration.ZERO, -1, 4));
        assertThat(settings.moduleLimits(settings.engineConfig(), Map.of()).apply("any"))
                .as("the starter's engine: the default deadline")
                .isEqualTo(new ModuleLimits(Long.MAX_VALUE, Duration.ofSeconds(10), -1, 4));
    }

    @Test
    void aRefusedLimitIsNamedByTheSettingItCameFrom() {
        properties.getPool().setSize(0);
        refused(
                () -> settings.moduleLimits(new Config(), Map.of()),
                "wasmer.pool.size",
                0,
                "poolSize must be >= 1, got 0");
        properties.getPool().setSize(2);
        module("add").setPoolSize(0);
        refused(
                () -> settings.moduleLimits(new Config(), Map.of()),
                "wasmer.modules.settings.add.pool-size",
                0,
                "poolSize must be >= 1");
        module("add").setPoolSize(null);
        module("add").setCallTimeout(Duration.ofSeconds(-1));
        refused(
                () -> settings.moduleLimits(new Config(), Map.of()),
                "wasmer.modules.settings.add.call-timeout",
                Duration.ofSeconds(-1),
                "callTimeout must be >= 0");
        module("add").setCallTimeout(null);
        properties.getLimits().setCallTimeout(Duration.ofSeconds(-1));
        refused(
                () -> settings.moduleLimits(new Config(), Map.of()),
                "wasmer.limits.call-timeout",
                Duration.ofSeconds(-1),
                "callTimeout");
        properties.getLimits().setCallTimeout(null);
        module("add").setPoints(-1L);
        refused(
                () -> settings.moduleLimits(new Config(), Map.of()),
                "wasmer.modules.settings.add.points",
                -1L,
                "points must be >= 0");
    }

    @Test
    void poolSettingsTheBindingRefusesNameTheirProperty() {
        // what valid values change is tested through a context (WasmerAutoConfigurationTests): the builder has no
        // getters
        try (Engine engine = new Engine();
                ModuleCache cache = ModuleCache.builder(engine).build();
                WasmModules modules = WasmModules.builder(cache).build()) {
            properties.getPool().setMaxCalls(0);
            refused(
                    () -> settings.pool(WasmInstancePool.builder(modules)),
                    "wasmer.pool.max-calls",
                    0L,
                    "maxCalls must be >= 1, got 0");
            properties.getPool().setMaxCalls(1);
            properties.getPool().setBorrowTimeout(Duration.ofMillis(-1));
            refused(
                    () -> settings.pool(WasmInstancePool.builder(modules)),
                    "wasmer.pool.borrow-timeout",
                    Duration.ofMillis(-1),
                    "must not be negative");
        }
    }

    @Test
    void aWasiModuleGetsItsNameThenItsArgsEnvAndDirectories(@TempDir Path dir) throws IOException {
        ModuleSettings wasiinfo = module("wasiinfo");
        wasiinfo.getWasi().setArgs(List.of("a", "b"));
        wasiinfo.getWasi().setEnv(Map.of("LANG", "C", "MODE", "test"));
        wasiinfo.getWasi().setDirs(Map.of("/data", dir));
        assertThat(run("wasiinfo")).containsExactly(3, 2, 0);
        assertThat(run("other"))
                .as("the program name only, no directory (BADF)")
                .containsExactly(1, 0, 8);
    }

    /** argc, envc and whether descriptor 3 is a preopen, in an instance of wasiinfo with the WASI config of {@code name}. */
    int[] run(String name) throws IOException {
        try (Engine engine = new Engine();
                Module module = Module.compile(engine, wat("wasi-wasm/wasiinfo.wat"));
                Store store = new Store(engine);
                WasiEnv wasi = WasiEnv.create(store, settings.wasiConfig(name))) {
            Instance instance = wasi.instantiate(module);
            return new int[] {
                (Integer) instance.func("argc").call()[0],
                (Integer) instance.func("envc").call()[0],
                (Integer) instance.func("firstdir").call()[0]
            };
        }
    }

    static byte[] wat(String resource) throws IOException {
        try (var in = PropertiesWasmerSettingsTests.class.getResourceAsStream("/" + resource)) {
            return in.readAllBytes();
        }
    }
}
