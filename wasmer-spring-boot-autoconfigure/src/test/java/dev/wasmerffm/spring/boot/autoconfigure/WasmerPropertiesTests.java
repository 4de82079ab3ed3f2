package dev.wasmerffm.spring.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wasmerffm.Config;
import dev.wasmerffm.Engine;
import dev.wasmerffm.Metering;
import dev.wasmerffm.Store;
import dev.wasmerffm.WasmerLibrary;
import dev.wasmerffm.pool.WasmInstancePool.InstanceReuse;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.util.unit.DataSize;

/**
 * Every default of {@link WasmerProperties}, against the binding's own default where it has one: the properties
 * leave the binding's choice unless a line here says why not.
 */
class WasmerPropertiesTests {

    final WasmerProperties properties = new WasmerProperties();
    final Config config = new Config();

    @Test
    void theEngineIsTheBindingsDefault() {
        assertThat(properties.isEnabled()).isTrue();
        assertThat(properties.getLibraryPath()).as("the binding's search").isNull();
        assertThat(properties.getBackend()).isEqualTo(config.backend());
        assertThat(properties.getFeatures())
                .as("libwasmer's")
                .isEqualTo(config.features())
                .isEmpty();
        assertThat(properties.isCanonicalizeNans()).isEqualTo(config.canonicalizeNans());
        assertThat(config.target()).as("this host").isNull();
        assertThat(properties.getTarget().getTriple()).isNull();
        assertThat(properties.getTarget().getCpuFeatures()).isEmpty();
    }

    @Test
    void meteringIsOffAndEveryOperatorCostsOnePointAsInTheBinding() {
        WasmerProperties.Metering metering = properties.getMetering();
        assertThat(metering.isEnabled()).isEqualTo(config.metering() != null).isFalse();
        assertThat(metering.getCosts()).isEmpty();
        WasmerLibrary.load();
        Metering library = Metering.of(metering.getInitialPoints());
        assertThat(library.cost("Call")).isEqualTo(library.cost("I32Add")).isEqualTo(1);
        // no default in the binding, which takes points as given; the pool gives them back per call
        assertThat(metering.getInitialPoints()).isEqualTo(10_000_000);
        assertThat(metering.getReset()).isEqualTo(WasmerProperties.Metering.Reset.PER_CALL);
    }

    @Test
    void thereIsNoLimitAsInTheBinding() {
        WasmerProperties.Limits limits = properties.getLimits();
        assertThat(limits.getMaxMemory()).isNull();
        assertThat(config.maxMemoryPages()).isEqualTo(-1);
        assertThat(limits.getMaxTableElements()).isNull();
        assertThat(config.maxTableElements()).isEqualTo(-1);
        assertThat(limits.getCallTimeout()).isNull();
        assertThat(config.deadlines()).isFalse();
        try (Engine engine = new Engine();
                Store store = new Store(engine)) {
            assertThat(store.callTimeout()).isEqualTo(Duration.ZERO);
        }
    }

    @Test
    void theCacheIsOnDiskInTheBindingsDirectoryWithABound() {
        WasmerProperties.Cache cache = properties.getCache();
        assertThat(cache.isEnabled()).isTrue();
        assertThat(cache.getDirectory()).as("ModuleCache.defaultDirectory()").isNull();
        assertThat(cache.getKey()).as("the directory's key file").isNull();
        // the binding's builder keeps any size (0); the starter bounds what it writes to the user's disk
        assertThat(cache.getMaxSize()).isEqualTo(DataSize.ofMegabytes(512));
        assertThat(cache.getShared().isEnabled()).isFalse();
        assertThat(cache.getShared().getCacheName()).isEqualTo("wasmer-modules");
        assertThat(cache.getShared().getKey()).isNull();
    }

    @Test
    void poolAndStore() {
        // the pool takes its settings as given: these are the starter's
        WasmerProperties.Pool pool = properties.getPool();
        assertThat(pool.getSize()).isEqualTo(Runtime.getRuntime().availableProcessors());
        assertThat(pool.getBorrowTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(pool.getMaxCalls()).isEqualTo(10_000);
        assertThat(pool.getInstanceReuse()).isEqualTo(InstanceReuse.DISCARD_AFTER_TRAP);
        // a Store has no cap of its own; the Store bean lives as long as the application, so it has one
        assertThat(properties.getStore().getMaxInstances()).isEqualTo(64);
    }

    @Test
    void modulesAreFoundUnderWasmAndHaveNoSettings() {
        WasmerProperties.Modules modules = properties.getModules();
        assertThat(modules.getLocations())
                .isEqualTo(WasmerProperties.Modules.DEFAULT_LOCATIONS)
                .containsExactly("classpath*:wasm/*.wasm", "classpath*:wasm/*.wat");
        assertThat(modules.getSettings()).isEmpty();
        WasmerProperties.ModuleSettings settings = new WasmerProperties.ModuleSettings();
        assertThat(settings.getPoints()).isNull();
        assertThat(settings.getCallTimeout()).isNull();
        assertThat(settings.getMaxMemory()).isNull();
        assertThat(settings.getPoolSize()).isNull();
        // as a new WasiConfig: no arguments after the program name, no environment, no directory
        assertThat(settings.getWasi().getArgs()).isEmpty();
        assertThat(settings.getWasi().getEnv()).isEmpty();
        assertThat(settings.getWasi().getDirs()).isEmpty();
    }

    @Test
    void tracingIsOff() {
        assertThat(properties.getTracing().getVerbosity()).isZero();
        assertThat(properties.getTracing().isColor()).isFalse();
    }
}
