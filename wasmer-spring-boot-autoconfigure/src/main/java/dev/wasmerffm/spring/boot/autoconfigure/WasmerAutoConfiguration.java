package dev.wasmerffm.spring.boot.autoconfigure;

import dev.wasmerffm.ArtifactKey;
import dev.wasmerffm.Config;
import dev.wasmerffm.Engine;
import dev.wasmerffm.Metering;
import dev.wasmerffm.Store;
import dev.wasmerffm.Target;
import dev.wasmerffm.Wasmer;
import dev.wasmerffm.WasmerLibrary;
import dev.wasmerffm.cache.ModuleCache;
import dev.wasmerffm.pool.ModuleLimits;
import dev.wasmerffm.pool.WasmInstancePool;
import dev.wasmerffm.pool.WasmModules;
import dev.wasmerffm.pool.WasmerObserver;
import dev.wasmerffm.spring.boot.annotation.WasmModule;
import dev.wasmerffm.spring.boot.cache.SpringCacheSharedStore;
import dev.wasmerffm.spring.boot.interop.WasmHostFunctions;
import dev.wasmerffm.spring.boot.modules.WasmModuleLocations;
import dev.wasmerffm.wasi.WasiConfig;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.LazyInitializationExcludeFilter;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.cache.CacheManager;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.core.io.support.ResourcePatternResolver;
import org.springframework.util.unit.DataSize;

/**
 * Auto-configuration of the Wasmer runtime: an {@link Engine} from {@code wasmer.*} properties, a thread-safe
 * {@link Store}, a {@link ModuleCache}, the modules found at {@code wasmer.modules.locations}, an instance pool whose
 * instances import the beans' {@code @WasmHostFunction} methods, and a bean for each {@code @WasmModule} interface.
 * Beans close with the context, dependents first.
 */
@AutoConfiguration
@ConditionalOnClass(Engine.class)
@ConditionalOnBooleanProperty(name = "wasmer.enabled", matchIfMissing = true)
@EnableConfigurationProperties(WasmerProperties.class)
@Import(WasmModuleInterfacesRegistrar.class)
public final class WasmerAutoConfiguration {

    private static final Log logger = LogFactory.getLog(WasmerAutoConfiguration.class);

    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    Engine wasmerEngine(WasmerProperties properties, ObjectProvider<WasmerConfigCustomizer> customizers) {
        if (properties.getLibraryPath() != null && !WasmerLibrary.isLoaded()) {
            System.setProperty(
                    WasmerLibrary.PATH_PROPERTY, properties.getLibraryPath().toString());
        }
        WasmerLibrary.load();
        if (properties.getTracing().getVerbosity() > 0) {
            Wasmer.setupTracing(
                    properties.getTracing().getVerbosity(),
                    properties.getTracing().isColor());
        }
        Config config = new Config().backend(properties.getBackend()).canonicalizeNans(properties.isCanonicalizeNans());
        properties.getFeatures().forEach(config::feature);
        WasmerProperties.Target target = properties.getTarget();
        if (target.getTriple() != null || !target.getCpuFeatures().isEmpty()) {
            String[] cpu = target.getCpuFeatures().toArray(String[]::new);
            config.target(target.getTriple() == null ? Target.host(cpu) : Target.of(target.getTriple(), cpu));
        }
        WasmerProperties.Metering metering = properties.getMetering();
        if (metering.isEnabled()) {
            Metering m = Metering.of(
                    metering.getInitialPoints(), op -> metering.getCosts().getOrDefault(op, 1L));
            metering.getCosts().forEach((op, cost) -> requireOperator(m, op, cost));
            config.metering(m);
        }
        if (properties.getLimits().getMaxMemory() != null) {
            config.maxMemory(properties.getLimits().getMaxMemory().toBytes());
        }
        if (properties.getLimits().getMaxTableElements() != null) {
            config.maxTableElements(properties.getLimits().getMaxTableElements());
        }
        if (properties.getLimits().getCallTimeout() != null
                || properties.getModules().getSettings().values().stream().anyMatch(m -> m.getCallTimeout() != null)) {
            config.deadlines(true);
        }
        customizers.orderedStream().forEach(c -> c.customize(config));
        return new Engine(config);
    }

    /** A cost for an operator that does not exist would be ignored: a typo must fail, naming the property. */
    private static void requireOperator(Metering metering, String operator, long cost) {
        try {
            metering.cost(operator);
        } catch (IllegalArgumentException e) {
            throw new InvalidConfigurationPropertyValueException(
                    "wasmer.metering.costs." + operator,
                    cost,
                    "no operator named '" + operator + "'; keys are wasmparser operator names such as Call, "
                            + "CallIndirect, Loop, MemoryGrow, I32Add (case matters)");
        }
    }

    /**
     * For long-lived instances: it keeps everything made in it until shutdown, so it makes at most
     * {@code wasmer.store.max-instances}. Safe to inject anywhere (every call takes the store's lock); per-request
     * and parallel work belongs in the instance pool.
     */
    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    Store wasmerStore(Engine engine, WasmerProperties properties) {
        return new Store(engine).maxInstances(properties.getStore().getMaxInstances());
    }

    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    ModuleCache wasmerModuleCache(
            Engine engine, WasmerProperties properties, ObjectProvider<CacheManager> cacheManager) {
        return moduleCache(engine, properties, cacheManager);
    }

    /** A cache over {@code engine} as the {@code wasmer.cache.*} properties say. */
    private static ModuleCache moduleCache(
            Engine engine, WasmerProperties properties, ObjectProvider<CacheManager> cacheManager) {
        WasmerProperties.Cache cache = properties.getCache();
        ArtifactKey key = artifactKey(cache.getKey());
        WasmerProperties.Shared shared = cache.getShared();
        SpringCacheSharedStore sharedStore = null;
        if (shared.isEnabled()) {
            CacheManager manager = cacheManager.getIfUnique();
            if (manager == null) {
                throw new IllegalStateException("wasmer.cache.shared.enabled=true needs one CacheManager bean "
                        + "(e.g. @EnableCaching with spring.cache.type=redis)");
            }
            sharedStore = new SpringCacheSharedStore(manager, shared.getCacheName());
        }
        ModuleCache.Builder builder = ModuleCache.builder(engine);
        if (cache.isEnabled()) {
            builder.directory(cache.getDirectory() != null ? cache.getDirectory() : ModuleCache.defaultDirectory())
                    .maxDiskBytes(cache.getMaxSize().toBytes());
            if (key != null) {
                builder.key(key);
            }
        }
        if (sharedStore != null) {
            builder.shared(sharedStore, artifactKey(shared.getKey()));
        }
        return builder.build();
    }

    /** The key of a property, its length already validated; a key set there is the only one used (no key file). */
    private static @Nullable ArtifactKey artifactKey(@Nullable String value) {
        return value == null ? null : ArtifactKey.of(value.getBytes(StandardCharsets.UTF_8));
    }

    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    WasmModules wasmerModules(
            ModuleCache cache,
            WasmerProperties properties,
            ResourcePatternResolver resolver,
            ObjectProvider<WasmerObserver> observer,
            ObjectProvider<CacheManager> cacheManager) {
        List<String> locations = properties.getModules().getLocations();
        // a module with a memory limit of its own is compiled by an engine of its own, which WasmModules closes
        Map<String, ModuleCache> own = new HashMap<>();
        properties.getModules().getSettings().forEach((name, m) -> {
            if (m.getMaxMemory() != null) {
                own.put(
                        name,
                        moduleCache(
                                new Engine(cache.engine()
                                        .config()
                                        .copy()
                                        .maxMemory(m.getMaxMemory().toBytes())),
                                properties,
                                cacheManager));
            }
        });
        WasmModules modules;
        List<String> emptyLocations;
        try {
            WasmModules.Builder builder = WasmModules.builder(cache)
                    .cacheOf(name -> own.getOrDefault(name, cache))
                    .observer(WasmerObserver.of(observer.orderedStream().toList()));
            emptyLocations = WasmModuleLocations.addAll(builder, resolver, locations);
            modules = builder.build();
        } catch (RuntimeException e) {
            own.values().forEach(c -> {
                c.close();
                c.engine().close();
            });
            throw e;
        }
        if (!locations.equals(WasmerProperties.Modules.DEFAULT_LOCATIONS)) { // the defaults may well be empty
            emptyLocations.forEach(l -> logger.warn("wasmer.modules.locations: '" + l + "' matches no module"));
        }
        Config config = cache.engine().config();
        ModuleCache.Stats stats = cache.stats();
        logger.info("Wasmer " + Wasmer.version().full() + " (" + WasmerLibrary.load() + "), backend "
                + config.backend() + ", metering "
                + (config.metering() == null ? "off" : config.metering().initialPoints() + " points") + ", "
                + modules.all().size() + " modules "
                + modules.all().stream().map(WasmModules.Entry::name).toList() + " (compiled " + stats.compiles()
                + ", from disk " + stats.diskLoads() + ", from shared cache " + stats.sharedLoads() + ")");
        return modules;
    }

    /** Static: it post-processes beans, so it must exist before them. */
    @Bean
    @ConditionalOnMissingBean
    static WasmHostFunctions wasmerHostFunctions(ObjectProvider<WasmModules> modules) {
        return new WasmHostFunctions(modules::getObject);
    }

    /**
     * Host-function beans are found only when made, and module interfaces are checked when made: under
     * {@code spring.main.lazy-initialization} both are still made at startup.
     */
    @Bean
    static LazyInitializationExcludeFilter wasmerLazyInitializationExcludeFilter() {
        return (name, definition, type) ->
                type.isAnnotationPresent(WasmModule.class) || WasmHostFunctions.declaresHostFunctions(type);
    }

    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    WasmInstancePool wasmerInstancePool(
            Engine engine,
            WasmModules modules,
            WasmerProperties properties,
            ObjectProvider<WasmerObserver> observer,
            WasmHostFunctions hostFunctions) {
        WasmerProperties.Pool pool = properties.getPool();
        return WasmInstancePool.builder(modules)
                .limits(module -> limits(properties, engine.config().metering(), module))
                .borrowTimeout(pool.getBorrowTimeout())
                .maxCalls(pool.getMaxCalls())
                .resetPointsPerCall(properties.getMetering().getReset() == WasmerProperties.Metering.Reset.PER_CALL)
                .reuse(pool.getInstanceReuse())
                .wasi(module -> wasiConfig(properties, module))
                .observer(WasmerObserver.of(observer.orderedStream().toList()))
                .imports(hostFunctions::imports)
                .build();
    }

    /** The WASI configuration of a module's pooled instances: its name, and its settings' args, env and dirs. */
    static WasiConfig wasiConfig(WasmerProperties properties, String module) {
        WasiConfig config = new WasiConfig(module);
        WasmerProperties.ModuleSettings settings =
                properties.getModules().getSettings().get(module);
        if (settings != null) {
            WasmerProperties.Wasi wasi = settings.getWasi();
            config.args(wasi.getArgs().toArray(String[]::new));
            wasi.getEnv().forEach(config::env);
            wasi.getDirs().forEach(config::mapDir);
        }
        return config;
    }

    /**
     * A module's settings over the global ones. The points default to the engine's metering, whoever set it
     * (properties or a customizer); an unmetered engine's instances, metered only for deadlines, get points no call
     * exhausts.
     */
    static ModuleLimits limits(WasmerProperties properties, @Nullable Metering metering, String module) {
        WasmerProperties.ModuleSettings m =
                properties.getModules().getSettings().getOrDefault(module, new WasmerProperties.ModuleSettings());
        long points =
                m.getPoints() != null ? m.getPoints() : metering != null ? metering.initialPoints() : Long.MAX_VALUE;
        Duration timeout = m.getCallTimeout() != null
                ? m.getCallTimeout()
                : properties.getLimits().getCallTimeout() != null
                        ? properties.getLimits().getCallTimeout()
                        : Duration.ZERO;
        DataSize maxMemory = m.getMaxMemory() != null
                ? m.getMaxMemory()
                : properties.getLimits().getMaxMemory();
        return new ModuleLimits(
                points,
                timeout,
                maxMemory == null ? -1 : maxMemory.toBytes(),
                m.getPoolSize() != null ? m.getPoolSize() : properties.getPool().getSize());
    }
}
