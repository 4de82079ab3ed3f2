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
import dev.wasmerffm.extism.Plugin;
import dev.wasmerffm.pool.ModuleLimits;
import dev.wasmerffm.pool.WasmInstancePool;
import dev.wasmerffm.spring.boot.autoconfigure.WasmerProperties.ModuleSettings;
import dev.wasmerffm.spring.boot.cache.SpringCacheSharedStore;
import dev.wasmerffm.wasi.WasiConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.PropertyMapper;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.cache.CacheManager;
import org.springframework.util.unit.DataSize;

/**
 * Adapts {@link WasmerProperties} to the binding's types: the engine's {@link Config}, the {@link Store} bean's
 * limit, a {@link ModuleCache}, the configs of modules compiled by an engine of their own, each module's
 * {@link ModuleLimits}, the pool's settings and a WASI module's {@link WasiConfig}. Every merge of a module's settings
 * over the global ones, and every default that is not a field's initial value, is here.
 *
 * <p>The binding refuses bad values itself; a refusal becomes an {@link InvalidConfigurationPropertyValueException}
 * naming the property and its value, which Spring Boot reports with where the value was set. The few rules the binding
 * does not have (a memory limit below one page, a verbosity above 4, a negative borrow timeout, a shared cache without
 * a key) are checked here, where the value is mapped. Values are mapped, and so checked, at startup even where the
 * setting they belong to is off.
 */
final class PropertiesWasmerSettings {

    /** Memory is counted in 64 KiB WebAssembly pages: a smaller limit would allow no memory at all. */
    private static final DataSize PAGE = DataSize.ofKilobytes(64);

    /** libwasmer takes any verbosity from 0 (4 and above trace); the property documents 0 to 4. */
    private static final int MAX_VERBOSITY = 4;

    private static final Object LOADING = new Object();

    private final WasmerProperties properties;

    /** The engine the starter made, if it made the application's. */
    private @Nullable Engine made;

    PropertiesWasmerSettings(WasmerProperties properties) {
        this.properties = properties;
    }

    /** Loads libwasmer, from {@code wasmer.library-path} unless one is loaded already, and starts its tracing. */
    void loadLibrary() {
        loadLibrary(this.properties.getLibraryPath());
        PropertyMapper map = PropertyMapper.get();
        WasmerProperties.Tracing tracing = this.properties.getTracing();
        if (tracing.getVerbosity() > MAX_VERBOSITY) {
            throw new InvalidConfigurationPropertyValueException(
                    "wasmer.tracing.verbosity", tracing.getVerbosity(), "must be 0 (off) to 4 (trace)");
        }
        map.from(tracing.getVerbosity())
                .whenNot(verbosity -> verbosity == 0)
                .to(verbosity -> refusing(
                        "wasmer.tracing.verbosity",
                        verbosity,
                        () -> Wasmer.setupTracing(verbosity, tracing.isColor())));
    }

    /**
     * Loads libwasmer from {@code libraryPath} unless one is loaded already: the one way both the auto-configuration
     * and {@link WasmerLibraryPreloader} load it, so the two cannot load different files.
     */
    static void loadLibrary(@Nullable Path libraryPath) {
        synchronized (LOADING) { // the property and the load as one step: a preload may race this
            if (libraryPath != null && !WasmerLibrary.isLoaded()) {
                System.setProperty(WasmerLibrary.PATH_PROPERTY, libraryPath.toString());
            }
            WasmerLibrary.load();
        }
    }

    /**
     * The engine's config as the properties say, before any {@link WasmerConfigCustomizer}. A global call timeout,
     * the 10 s default unless set to 0, compiles with deadlines; a module's own compiles only that module
     * ({@link #moduleConfigs}).
     */
    Config engineConfig() {
        PropertyMapper map = PropertyMapper.get();
        Config config = new Config()
                .backend(this.properties.getBackend())
                .canonicalizeNans(this.properties.isCanonicalizeNans());
        this.properties.getFeatures().forEach(config::feature);
        map.from(target()).to(config::target);
        Metering metering = metering();
        map.from(this.properties.getMetering().isEnabled()).whenTrue().toCall(() -> config.metering(metering));
        WasmerProperties.Limits limits = this.properties.getLimits();
        map.from(limits.getMaxMemory())
                .as(size -> memoryLimit("wasmer.limits.max-memory", size))
                .to(config::maxMemory);
        map.from(limits.getMaxTableElements())
                .to(elements -> refusing(
                        "wasmer.limits.max-table-elements", elements, () -> config.maxTableElements(elements)));
        map.from(limits.getCallTimeout())
                .orFrom(() -> WasmerProperties.Limits.DEFAULT_CALL_TIMEOUT)
                .when(Duration::isPositive)
                .toCall(() -> config.deadlines(true));
        return config;
    }

    /** Records the engine the starter made, so that an application's own is checked against the properties. */
    Engine made(Engine engine) {
        this.made = engine;
        return engine;
    }

    /**
     * Fails startup for settings an application-defined {@code Engine} bean does not have, which the starter would
     * otherwise drop without a word: the engine is the application's, the properties configure only one the
     * starter makes.
     */
    void checkEngine(Engine engine) {
        if (engine == this.made) {
            return;
        }
        Config config = engine.config();
        WasmerProperties.Limits limits = this.properties.getLimits();
        if (this.properties.getMetering().isEnabled()
                && config.copy().deadlines(false).metering() == null) {
            throw notHonoured("wasmer.metering.enabled", true, "is not metered", "Config.metering(...)");
        }
        DataSize maxMemory = limits.getMaxMemory();
        if (maxMemory != null
                && config.maxMemoryPages() != memoryLimit("wasmer.limits.max-memory", maxMemory) / PAGE.toBytes()) {
            throw notHonoured(
                    "wasmer.limits.max-memory", maxMemory, "has another memory limit", "Config.maxMemory(bytes)");
        }
        Long tableElements = limits.getMaxTableElements();
        if (tableElements != null && config.maxTableElements() != tableElements) {
            throw notHonoured(
                    "wasmer.limits.max-table-elements",
                    tableElements,
                    "has another table limit",
                    "Config.maxTableElements(n)");
        }
        Duration callTimeout = limits.getCallTimeout();
        if (callTimeout != null && callTimeout.isPositive() && !config.deadlines()) {
            throw notHonoured("wasmer.limits.call-timeout", callTimeout, "has no deadlines", "Config.deadlines(true)");
        }
    }

    private static InvalidConfigurationPropertyValueException notHonoured(
            String property, Object value, String lacks, String fix) {
        return new InvalidConfigurationPropertyValueException(
                property,
                value,
                "the application's own Engine bean " + lacks + ", and the starter configures only an engine it makes:"
                        + " set it in that bean's Config (" + fix + "), or remove the property (or the bean)");
    }

    private @Nullable Target target() {
        WasmerProperties.Target target = this.properties.getTarget();
        if (target.getTriple() == null && target.getCpuFeatures().isEmpty()) {
            return null;
        }
        String[] cpu = target.getCpuFeatures().toArray(String[]::new);
        return target.getTriple() == null ? Target.host(cpu) : Target.of(target.getTriple(), cpu);
    }

    /**
     * The metering of {@code wasmer.metering.*}, made even when it is off so that a refused value fails startup. The
     * binding refuses negative points; then, asking the cost of each operator in turn, a negative cost: that of the
     * operator it asked last.
     */
    private Metering metering() {
        WasmerProperties.Metering properties = this.properties.getMetering();
        long points = properties.getInitialPoints();
        Metering metering = refusing("wasmer.metering.initial-points", points, () -> Metering.of(points));
        Map<String, Long> costs = properties.getCosts();
        if (costs.isEmpty()) {
            return metering;
        }
        AtomicReference<String> asked = new AtomicReference<>("");
        Metering priced;
        try {
            priced = Metering.of(points, operator -> {
                asked.set(operator);
                return costs.getOrDefault(operator, 1L);
            });
        } catch (IllegalArgumentException e) {
            throw new InvalidConfigurationPropertyValueException(
                    "wasmer.metering.costs." + asked.get(), costs.get(asked.get()), e.getMessage());
        }
        if (properties.isEnabled()) {
            costs.forEach((operator, cost) -> requireOperator(priced, operator, cost));
        }
        return priced;
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
     * The config of each module whose own settings compile it otherwise than {@code engineConfig}, by name: a memory
     * limit of its own, a call timeout where the engine has no deadlines (or 0 where it has them only for the global
     * one), or points where it is not metered. Such a module is compiled by an engine of its own, so one module's
     * settings never change another's code.
     */
    Map<String, Config> moduleConfigs(Config engineConfig) {
        Map<String, Config> configs = new LinkedHashMap<>();
        this.properties.getModules().getSettings().forEach((name, settings) -> {
            Config config = engineConfig.copy();
            boolean own = false;
            if (settings.getMaxMemory() != null) {
                config.maxMemory(memoryLimit(moduleProperty(name, "max-memory"), settings.getMaxMemory()));
                own = true;
            }
            Duration timeout = settings.getCallTimeout();
            if (timeout != null && !timeout.isNegative() && timeout.isPositive() != config.deadlines()) {
                // off only where the engine has deadlines for the global timeout, not for its own metering
                own |= config.deadlines(timeout.isPositive()).deadlines() == timeout.isPositive();
            }
            if (settings.getPoints() != null && config.metering() == null) {
                config.metering(metering());
                own = true;
            }
            if (own) {
                configs.put(name, config);
            }
        });
        return configs;
    }

    /** The Store bean's store over {@code engine}: for long-lived instances, at most {@code wasmer.store.max-instances}. */
    Store store(Engine engine) {
        int max = this.properties.getStore().getMaxInstances();
        Store store = new Store(engine);
        try {
            return refusing("wasmer.store.max-instances", max, () -> store.maxInstances(max));
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
    }

    /**
     * A cache over {@code engine} as {@code wasmer.cache.*} says: on disk when enabled (a key set there is the only
     * one used; no key file), and with a shared level on the application's one {@code CacheManager} when
     * {@code wasmer.cache.shared.enabled}.
     */
    ModuleCache moduleCache(Engine engine, Supplier<@Nullable CacheManager> cacheManager) {
        PropertyMapper map = PropertyMapper.get();
        WasmerProperties.Cache cache = this.properties.getCache();
        WasmerProperties.Shared shared = cache.getShared();
        ArtifactKey key = artifactKey("wasmer.cache.key", cache.getKey());
        ArtifactKey sharedKey = artifactKey("wasmer.cache.shared.key", shared.getKey());
        ModuleCache.Builder builder = ModuleCache.builder(engine);
        refusing(
                "wasmer.cache.max-size",
                cache.getMaxSize(),
                () -> builder.maxDiskBytes(cache.getMaxSize().toBytes()));
        if (cache.isEnabled()) {
            map.from(cache.getDirectory()).orFrom(ModuleCache::defaultDirectory).to(builder::directory);
            map.from(key).to(builder::key);
        }
        if (shared.isEnabled()) {
            if (sharedKey == null) {
                throw new InvalidConfigurationPropertyValueException(
                        "wasmer.cache.shared.key",
                        null,
                        "is required when wasmer.cache.shared.enabled=true: a secret of at least "
                                + ArtifactKey.MIN_LENGTH + " characters every instance shares");
            }
            CacheManager manager = cacheManager.get();
            if (manager == null) {
                throw new NoCacheManagerException();
            }
            builder.shared(new SpringCacheSharedStore(manager, shared.getCacheName()), sharedKey);
        }
        return builder.build();
    }

    private static @Nullable ArtifactKey artifactKey(String property, @Nullable String value) {
        return value == null
                ? null
                : refusing(property, value, () -> ArtifactKey.of(value.getBytes(StandardCharsets.UTF_8)));
    }

    /** Where modules are loaded from at startup. */
    List<String> moduleLocations() {
        return this.properties.getModules().getLocations();
    }

    /**
     * Each module's limits: its {@code wasmer.modules.settings.<name>.*} over the global ones. They are made now, for
     * every module with settings and for the others, so that a refused value fails startup. The points default to
     * the metering of the config the module was compiled with ({@code compiled}, by name, else {@code engineConfig}),
     * whoever set it (properties or a customizer); an unmetered engine's instances, metered only for deadlines, get
     * points no call exhausts. The default call timeout applies where the module was compiled with deadlines: an
     * application's own engine without them runs calls without one.
     */
    Function<String, ModuleLimits> moduleLimits(Config engineConfig, Map<String, Config> compiled) {
        ModuleLimits global = limits(null, new ModuleSettings(), engineConfig);
        Map<String, ModuleLimits> own = new HashMap<>();
        this.properties
                .getModules()
                .getSettings()
                .forEach((name, m) -> own.put(name, limits(name, m, compiled.getOrDefault(name, engineConfig))));
        return module -> own.getOrDefault(module, global);
    }

    private ModuleLimits limits(@Nullable String module, ModuleSettings settings, Config compiled) {
        WasmerProperties.Limits global = this.properties.getLimits();
        Metering metering = compiled.metering();
        Value<Long> points = Value.of(
                module,
                "points",
                settings.getPoints(),
                "wasmer.metering.initial-points",
                metering != null ? metering.initialPoints() : Long.MAX_VALUE);
        Duration defaultTimeout = compiled.deadlines() ? WasmerProperties.Limits.DEFAULT_CALL_TIMEOUT : Duration.ZERO;
        Value<Duration> callTimeout = Value.of(
                module,
                "call-timeout",
                settings.getCallTimeout(),
                "wasmer.limits.call-timeout",
                global.getCallTimeout() != null ? global.getCallTimeout() : defaultTimeout);
        Value<Integer> poolSize = Value.of(
                module,
                "pool-size",
                settings.getPoolSize(),
                "wasmer.pool.size",
                this.properties.getPool().getSize());
        Value<@Nullable DataSize> memory = Value.of(
                module, "max-memory", settings.getMaxMemory(), "wasmer.limits.max-memory", global.getMaxMemory());
        long maxMemory = memory.value() == null ? -1 : memoryLimit(memory.property(), memory.value());
        try {
            return new ModuleLimits(points.value(), callTimeout.value(), maxMemory, poolSize.value());
        } catch (IllegalArgumentException e) {
            // the record checks each value on its own: the one it refuses beside neutral others is the one to name
            points.check(p -> new ModuleLimits(p, Duration.ZERO, -1, 1));
            callTimeout.check(t -> new ModuleLimits(0, t, -1, 1));
            poolSize.check(s -> new ModuleLimits(0, Duration.ZERO, -1, s));
            throw e;
        }
    }

    /**
     * How the pool treats every module's instances. The binding refuses {@code max-calls} below 1; a negative borrow
     * timeout, which it would take as no wait, is refused here.
     */
    WasmInstancePool.Builder pool(WasmInstancePool.Builder builder) {
        WasmerProperties.Pool pool = this.properties.getPool();
        if (pool.getBorrowTimeout().isNegative()) {
            throw new InvalidConfigurationPropertyValueException(
                    "wasmer.pool.borrow-timeout", pool.getBorrowTimeout(), "must not be negative");
        }
        return refusing("wasmer.pool.max-calls", pool.getMaxCalls(), () -> builder.maxCalls(pool.getMaxCalls()))
                .borrowTimeout(pool.getBorrowTimeout())
                .resetPointsPerCall(
                        this.properties.getMetering().getReset() == WasmerProperties.Metering.Reset.PER_CALL)
                .reuse(pool.getInstanceReuse())
                .wasi(this::wasiConfig);
    }

    /**
     * Fails startup for settings no module can use: {@code wasmer.modules.settings.<name>} of a module not loaded (a
     * typo would otherwise be ignored) and WASI dirs whose host directory does not exist (every call would fail).
     * Each names the first property set, so the report can say where it was set.
     */
    void checkModuleSettings(Collection<String> loaded) {
        this.properties.getModules().getSettings().forEach((name, m) -> {
            if (!loaded.contains(name)) {
                Map.Entry<String, Object> set = firstSet(m);
                throw new InvalidConfigurationPropertyValueException(
                        moduleProperty(name, set.getKey()),
                        set.getValue(),
                        "no module named '" + name + "' was loaded; modules: " + new TreeSet<>(loaded));
            }
            requireDirectories(name, "wasi.dirs", m.getWasi().getDirs());
            requireDirectories(name, "plugin.allowed-paths", m.getPlugin().getAllowedPaths());
        });
    }

    private static void requireDirectories(String module, String property, Map<String, Path> dirs) {
        dirs.forEach((guest, host) -> {
            if (!Files.isDirectory(host)) {
                throw new InvalidConfigurationPropertyValueException(
                        moduleProperty(module, property + "[" + guest + "]"),
                        host,
                        "no such directory on this host: the guest's " + guest + " would fail every call");
            }
        });
    }

    /** What Extism plugin {@code module} gets from its {@code plugin.*} settings: config, allowed paths and hosts. */
    void plugin(String module, Plugin.Builder plugin) {
        WasmerProperties.ModuleSettings settings =
                this.properties.getModules().getSettings().get(module);
        if (settings != null) {
            WasmerProperties.PluginSettings p = settings.getPlugin();
            plugin.config(p.getConfig());
            p.getAllowedPaths().forEach((guest, host) -> plugin.allowedPath(host, guest));
            p.getAllowedHosts().forEach(plugin::allowedHost);
        }
    }

    /** The first setting {@code m} has and its value, for the report to find where it was set. */
    private static Map.Entry<String, Object> firstSet(ModuleSettings m) {
        Map<String, @Nullable Object> set = new LinkedHashMap<>();
        set.put("points", m.getPoints());
        set.put("call-timeout", m.getCallTimeout());
        set.put("max-memory", m.getMaxMemory());
        set.put("pool-size", m.getPoolSize());
        return set.entrySet().stream()
                .filter(e -> e.getValue() != null)
                .findFirst()
                .map(e -> Map.entry(e.getKey(), Objects.requireNonNull(e.getValue())))
                .orElseGet(() -> hasWasiSettings(m)
                        ? Map.<String, Object>entry("wasi", m.getWasi())
                        : Map.<String, Object>entry("plugin", m.getPlugin()));
    }

    private static boolean hasWasiSettings(ModuleSettings m) {
        WasmerProperties.Wasi wasi = m.getWasi();
        return !wasi.getDirs().isEmpty()
                || !wasi.getArgs().isEmpty()
                || !wasi.getEnv().isEmpty();
    }

    /** The WASI configuration of a module's pooled instances: its name, and its settings' args, env and dirs. */
    WasiConfig wasiConfig(String module) {
        WasiConfig config = new WasiConfig(module);
        PropertyMapper.get()
                .from(this.properties.getModules().getSettings().get(module))
                .as(ModuleSettings::getWasi)
                .to(wasi -> {
                    config.args(wasi.getArgs().toArray(String[]::new));
                    wasi.getEnv().forEach(config::env);
                    wasi.getDirs().forEach(config::mapDir);
                });
        return config;
    }

    /**
     * A memory limit in bytes. The binding takes any from 0, but a limit below one page would allow no memory at all.
     */
    private static long memoryLimit(String property, DataSize size) {
        if (size.compareTo(PAGE) < 0) {
            throw new InvalidConfigurationPropertyValueException(
                    property,
                    size,
                    "must be at least 64KB, one WebAssembly page (memory is counted in whole pages, rounded down)");
        }
        return size.toBytes();
    }

    private static String moduleProperty(@Nullable String module, String name) {
        return "wasmer.modules.settings." + module + "." + name;
    }

    /** Runs a call of the binding given a property's value, and reports the binding's refusal of it as the property's. */
    private static <T> T refusing(String property, Object value, Supplier<T> call) {
        try {
            return call.get();
        } catch (IllegalArgumentException e) {
            throw new InvalidConfigurationPropertyValueException(property, value, e.getMessage());
        }
    }

    /** A module's value, or else the global one, with the property it came from. */
    private record Value<T extends @Nullable Object>(String property, T value) {

        static <T extends @Nullable Object> Value<T> of(
                @Nullable String module, String name, @Nullable T own, String globalProperty, T global) {
            return own != null ? new Value<>(moduleProperty(module, name), own) : new Value<>(globalProperty, global);
        }

        void check(Function<T, ?> call) {
            refusing(this.property, this.value, () -> call.apply(this.value));
        }
    }
}
