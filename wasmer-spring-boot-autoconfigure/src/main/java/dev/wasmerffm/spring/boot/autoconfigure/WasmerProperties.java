package dev.wasmerffm.spring.boot.autoconfigure;

import dev.wasmerffm.Backend;
import dev.wasmerffm.Feature;
import dev.wasmerffm.pool.WasmInstancePool.InstanceReuse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

/**
 * Configuration of the Wasmer runtime. {@link PropertiesWasmerSettings} maps it to the binding's types: a value the
 * binding refuses fails startup with Spring Boot's report naming the property, its value and where it was set.
 */
@ConfigurationProperties("wasmer")
public class WasmerProperties {

    /**
     * Whether to enable the Wasmer auto-configuration.
     */
    private boolean enabled = true;

    /**
     * Path of libwasmer (a file, or a Wasmer directory holding lib/libwasmer.so). Default: WASMER_DIR, ~/.wasmer,
     * then the build cache.
     */
    private @Nullable Path libraryPath;

    /**
     * Compiler backend of the engine.
     */
    private Backend backend = Backend.CRANELIFT;

    /**
     * WebAssembly features to turn on or off; features not listed keep libwasmer's default.
     */
    private final Map<Feature, Boolean> features = new EnumMap<>(Feature.class);

    /**
     * Whether float operations produce canonical NaNs (deterministic results across machines).
     */
    private boolean canonicalizeNans;

    private final Target target = new Target();

    private final Metering metering = new Metering();

    private final Modules modules = new Modules();

    private final Cache cache = new Cache();

    private final Pool pool = new Pool();

    private final Store store = new Store();

    private final Tracing tracing = new Tracing();

    private final Limits limits = new Limits();

    public boolean isEnabled() {
        return this.enabled;
    }

    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    public @Nullable Path getLibraryPath() {
        return this.libraryPath;
    }

    public void setLibraryPath(@Nullable Path libraryPath) {
        this.libraryPath = libraryPath;
    }

    public Backend getBackend() {
        return this.backend;
    }

    public void setBackend(Backend backend) {
        this.backend = backend;
    }

    public Map<Feature, Boolean> getFeatures() {
        return this.features;
    }

    public boolean isCanonicalizeNans() {
        return this.canonicalizeNans;
    }

    public void setCanonicalizeNans(boolean canonicalizeNans) {
        this.canonicalizeNans = canonicalizeNans;
    }

    public Target getTarget() {
        return this.target;
    }

    public Metering getMetering() {
        return this.metering;
    }

    public Modules getModules() {
        return this.modules;
    }

    public Cache getCache() {
        return this.cache;
    }

    public Pool getPool() {
        return this.pool;
    }

    public Store getStore() {
        return this.store;
    }

    public Tracing getTracing() {
        return this.tracing;
    }

    public Limits getLimits() {
        return this.limits;
    }

    /** Resource limits of instances. */
    public static class Limits {

        /**
         * Most linear memory a module's own memory may reach; declared maxima above it are lowered to it before
         * compiling, and a module needing more from the start fails to load. Default: no limit.
         */
        private @Nullable DataSize maxMemory;

        /**
         * Most elements a module's own table may reach; declared maxima above it are lowered to it before compiling.
         * Default: no limit.
         */
        private @Nullable Long maxTableElements;

        /** The deadline of pooled and interface calls unless a call-timeout is set. */
        public static final Duration DEFAULT_CALL_TIMEOUT = Duration.ofSeconds(10);

        /**
         * Deadline of every pooled and interface call; a call past it stops with a DeadlineExceededException and its
         * instance is replaced. Modules with a deadline are compiled with metering, which deadlines need (and which
         * batches cannot run on). 0 turns deadlines off (then a module's endless loop holds its caller and
         * shutdown). Default: 10s.
         */
        private @Nullable Duration callTimeout;

        public @Nullable Duration getCallTimeout() {
            return this.callTimeout;
        }

        public void setCallTimeout(@Nullable Duration callTimeout) {
            this.callTimeout = callTimeout;
        }

        public @Nullable DataSize getMaxMemory() {
            return this.maxMemory;
        }

        public void setMaxMemory(@Nullable DataSize maxMemory) {
            this.maxMemory = maxMemory;
        }

        public @Nullable Long getMaxTableElements() {
            return this.maxTableElements;
        }

        public void setMaxTableElements(@Nullable Long maxTableElements) {
            this.maxTableElements = maxTableElements;
        }
    }

    /** Compilation target. */
    public static class Target {

        /**
         * Target triple, e.g. aarch64-unknown-linux-gnu. Default: this host. Modules compiled for another target can
         * be cached for it but not run here.
         */
        private @Nullable String triple;

        /**
         * CPU features of the target, e.g. sse2, avx2.
         */
        private List<String> cpuFeatures = new ArrayList<>();

        public @Nullable String getTriple() {
            return this.triple;
        }

        public void setTriple(@Nullable String triple) {
            this.triple = triple;
        }

        public List<String> getCpuFeatures() {
            return this.cpuFeatures;
        }

        public void setCpuFeatures(List<String> cpuFeatures) {
            this.cpuFeatures = cpuFeatures;
        }
    }

    /** Gas metering of compiled modules. */
    public static class Metering {

        /**
         * Whether modules are metered: an instance that runs out of points stops with MeteringExhaustedException.
         */
        private boolean enabled;

        /**
         * Points an instance gets.
         */
        private long initialPoints = 10_000_000;

        /**
         * When the points are given back: before every pooled call, or once per instance.
         */
        private Reset reset = Reset.PER_CALL;

        /**
         * Cost of operators by wasmparser name (e.g. Call=10, MemoryGrow=1000); operators not listed cost 1.
         */
        private final Map<String, Long> costs = new LinkedHashMap<>();

        public boolean isEnabled() {
            return this.enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public long getInitialPoints() {
            return this.initialPoints;
        }

        public void setInitialPoints(long initialPoints) {
            this.initialPoints = initialPoints;
        }

        public Reset getReset() {
            return this.reset;
        }

        public void setReset(Reset reset) {
            this.reset = reset;
        }

        public Map<String, Long> getCosts() {
            return this.costs;
        }

        /** When metering points are given back. */
        public enum Reset {
            /** Before every call through the instance pool. */
            PER_CALL,
            /** Once, when the pooled instance is made. */
            PER_INSTANCE
        }
    }

    /** Modules loaded and compiled at startup. */
    public static class Modules {

        /** Where modules are looked for unless configured. */
        public static final List<String> DEFAULT_LOCATIONS = List.of("classpath*:wasm/*.wasm", "classpath*:wasm/*.wat");

        /**
         * Resource patterns of modules (.wasm binaries or .wat text); each is registered under its file name without
         * extension.
         */
        private List<String> locations = new ArrayList<>(DEFAULT_LOCATIONS);

        /** Limits of one module's pooled calls, by module name, over the global ones. */
        private final Map<String, ModuleSettings> settings = new LinkedHashMap<>();

        public Map<String, ModuleSettings> getSettings() {
            return this.settings;
        }

        public List<String> getLocations() {
            return this.locations;
        }

        public void setLocations(List<String> locations) {
            this.locations = locations;
        }
    }

    /** Limits of one module's pooled calls; unset ones are the global ones. */
    public static class ModuleSettings {

        /** Metering points an instance of this module gets. Default: wasmer.metering.initial-points. */
        private @Nullable Long points;

        /**
         * Deadline of this module's pooled and interface calls; 0 for none, which compiles this module without
         * metering (so batches run on it) whatever the other modules' deadlines. Default: wasmer.limits.call-timeout.
         */
        private @Nullable Duration callTimeout;

        /**
         * Most linear memory this module's own memory may reach; it is compiled with an engine of its own for it.
         * Default: wasmer.limits.max-memory.
         */
        private @Nullable DataSize maxMemory;

        /** Most instances of this module at once. Default: wasmer.pool.size. */
        private @Nullable Integer poolSize;

        /** What this module gets from WASI, if it imports WASI. */
        private final Wasi wasi = new Wasi();

        /** What this module gets as an Extism plugin, if it is one (it imports extism:host/env). */
        private final PluginSettings plugin = new PluginSettings();

        public Wasi getWasi() {
            return this.wasi;
        }

        public PluginSettings getPlugin() {
            return this.plugin;
        }

        public @Nullable DataSize getMaxMemory() {
            return this.maxMemory;
        }

        public void setMaxMemory(@Nullable DataSize maxMemory) {
            this.maxMemory = maxMemory;
        }

        public @Nullable Integer getPoolSize() {
            return this.poolSize;
        }

        public void setPoolSize(@Nullable Integer poolSize) {
            this.poolSize = poolSize;
        }

        public @Nullable Long getPoints() {
            return this.points;
        }

        public void setPoints(@Nullable Long points) {
            this.points = points;
        }

        public @Nullable Duration getCallTimeout() {
            return this.callTimeout;
        }

        public void setCallTimeout(@Nullable Duration callTimeout) {
            this.callTimeout = callTimeout;
        }
    }

    /** What a WASI module's pooled instances get; the program name is the module's name. */
    public static class Wasi {

        /** Arguments after the program name. */
        private List<String> args = new ArrayList<>();

        /** Environment variables. */
        private Map<String, String> env = new LinkedHashMap<>();

        /**
         * Host directories the program sees, by the path it sees each at, e.g. {@code dirs[/data]=/srv/plugin-data}
         * (brackets keep the slash); {@code /} makes one its root. It cannot leave them.
         */
        private Map<String, Path> dirs = new LinkedHashMap<>();

        public List<String> getArgs() {
            return this.args;
        }

        public void setArgs(List<String> args) {
            this.args = args;
        }

        public Map<String, String> getEnv() {
            return this.env;
        }

        public void setEnv(Map<String, String> env) {
            this.env = env;
        }

        public Map<String, Path> getDirs() {
            return this.dirs;
        }

        public void setDirs(Map<String, Path> dirs) {
            this.dirs = dirs;
        }
    }

    /** What an Extism plugin module gets; Extism's defaults (nothing) where unset. */
    public static class PluginSettings {

        /** Configuration values the plugin reads with config_get (the PDKs' config::get / pdk.GetConfig). */
        private Map<String, String> config = new LinkedHashMap<>();

        /**
         * Host directories the plugin sees through WASI, by the path it sees each at, as wasi.dirs, e.g.
         * {@code allowed-paths[/data]=/srv/plugin-data}. It cannot leave them.
         */
        private Map<String, Path> allowedPaths = new LinkedHashMap<>();

        /**
         * Hosts the plugin may send HTTP requests to, as globs ({@code api.example.com}, {@code *.example.com}).
         * None by default: every request is refused.
         */
        private List<String> allowedHosts = new ArrayList<>();

        public Map<String, String> getConfig() {
            return this.config;
        }

        public void setConfig(Map<String, String> config) {
            this.config = config;
        }

        public Map<String, Path> getAllowedPaths() {
            return this.allowedPaths;
        }

        public void setAllowedPaths(Map<String, Path> allowedPaths) {
            this.allowedPaths = allowedPaths;
        }

        public List<String> getAllowedHosts() {
            return this.allowedHosts;
        }

        public void setAllowedHosts(List<String> allowedHosts) {
            this.allowedHosts = allowedHosts;
        }
    }

    /** Cache of compiled modules. */
    public static class Cache {

        /**
         * Whether compiled modules are kept on disk, so a restart loads instead of compiling.
         */
        private boolean enabled = true;

        /**
         * Directory of the on-disk cache. Default: the user's own cache directory,
         * $XDG_CACHE_HOME/wasmer-java/modules or ~/.cache/wasmer-java/modules, created 0700. A directory owned by
         * another user, or writable by group or others, is refused at startup: whoever can write it could plant
         * native code (never a shared directory such as /tmp).
         */
        private @Nullable Path directory;

        /**
         * Most disk space the cache may use; the oldest entries go first.
         */
        private DataSize maxSize = DataSize.ofMegabytes(512);

        /**
         * HMAC key authenticating cached artifacts (at least 32 characters); when set, it is the only key used.
         * Default: a random key in the cache directory's .mac-key file, made readable by this user only (a key file
         * another user owns or can read is refused).
         */
        private @Nullable String key;

        private final Shared shared = new Shared();

        public boolean isEnabled() {
            return this.enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public Shared getShared() {
            return this.shared;
        }

        public @Nullable Path getDirectory() {
            return this.directory;
        }

        public void setDirectory(@Nullable Path directory) {
            this.directory = directory;
        }

        public DataSize getMaxSize() {
            return this.maxSize;
        }

        public void setMaxSize(DataSize maxSize) {
            this.maxSize = maxSize;
        }

        public @Nullable String getKey() {
            return this.key;
        }

        public void setKey(@Nullable String key) {
            this.key = key;
        }
    }

    /**
     * A second cache level that every instance of the service shares, through Spring's cache abstraction (e.g.
     * Redis), so a fleet compiles each module once.
     */
    public static class Shared {

        /**
         * Whether compiled modules are also looked up in, and stored to, a cache of the application's CacheManager.
         */
        private boolean enabled;

        /**
         * Name of that cache.
         */
        private String cacheName = "wasmer-modules";

        /**
         * HMAC key (at least 32 characters) every instance of the service shares; entries that do not verify under
         * it are never loaded. Required when the shared cache is enabled.
         */
        private @Nullable String key;

        public boolean isEnabled() {
            return this.enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public String getCacheName() {
            return this.cacheName;
        }

        public void setCacheName(String cacheName) {
            this.cacheName = cacheName;
        }

        public @Nullable String getKey() {
            return this.key;
        }

        public void setKey(@Nullable String key) {
            this.key = key;
        }
    }

    /** Pool of instances for concurrent calls, each with its own store. */
    public static class Pool {

        /**
         * Most instances per module. Default: the number of processors.
         */
        private int size = Runtime.getRuntime().availableProcessors();

        /**
         * How long a borrower waits for a free instance.
         */
        private Duration borrowTimeout = Duration.ofSeconds(5);

        public int getSize() {
            return this.size;
        }

        public void setSize(int size) {
            this.size = size;
        }

        /**
         * Calls after which a pooled instance is replaced by a new one in a new store. A store keeps everything made
         * in it (grown memory, externref values) until it closes; an instance whose call failed is replaced at once.
         */
        private long maxCalls = 10_000;

        /**
         * What is done with an instance after a call: reuse (also after a trap; memory and globals persist from call
         * to call), discard-after-trap, or fresh-per-call (no state passes between calls; an instantiation per call).
         * An instance whose call hit its deadline is always replaced.
         */
        private InstanceReuse instanceReuse = InstanceReuse.DISCARD_AFTER_TRAP;

        public InstanceReuse getInstanceReuse() {
            return this.instanceReuse;
        }

        public void setInstanceReuse(InstanceReuse instanceReuse) {
            this.instanceReuse = instanceReuse;
        }

        public Duration getBorrowTimeout() {
            return this.borrowTimeout;
        }

        public void setBorrowTimeout(Duration borrowTimeout) {
            this.borrowTimeout = borrowTimeout;
        }

        public long getMaxCalls() {
            return this.maxCalls;
        }

        public void setMaxCalls(long maxCalls) {
            this.maxCalls = maxCalls;
        }
    }

    /** The {@code Store} bean, for long-lived instances. */
    public static class Store {

        /**
         * Most instances the Store bean may ever make. A store keeps each instance's memory (and its address space
         * reservation) until it closes, so per-request instances belong in the instance pool or a store of their own.
         */
        private int maxInstances = 64;

        public int getMaxInstances() {
            return this.maxInstances;
        }

        public void setMaxInstances(int maxInstances) {
            this.maxInstances = maxInstances;
        }
    }

    /** libwasmer's own tracing, to stderr. */
    public static class Tracing {

        /**
         * Verbosity: 0 off (RUST_LOG still applies), 1 warn, 2 info, 3 debug, 4 trace. Set once per process.
         */
        private int verbosity;

        /**
         * Whether to use ANSI colours.
         */
        private boolean color;

        public int getVerbosity() {
            return this.verbosity;
        }

        public void setVerbosity(int verbosity) {
            this.verbosity = verbosity;
        }

        public boolean isColor() {
            return this.color;
        }

        public void setColor(boolean color) {
            this.color = color;
        }
    }
}
