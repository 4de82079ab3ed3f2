package dev.wasmerffm.cache;

import dev.wasmerffm.ArtifactKey;
import dev.wasmerffm.Engine;
import dev.wasmerffm.Module;
import dev.wasmerffm.Wasmer;
import dev.wasmerffm.internal.Loader;
import dev.wasmerffm.internal.access.Access;
import dev.wasmerffm.internal.access.CoreAccess;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Compiled modules by content, in memory and optionally on disk, for one engine. The key is the module's SHA-256
 * plus everything that changes the machine code: libwasmer version, backend, features, target (with the host's
 * platform), NaN canonicalization, memory and table caps, metering and deadlines. A file on disk is native code once
 * loaded, so each is sealed as {@link Module#serialize(ArtifactKey)} seals artifacts, with the entry's key bound into
 * the MAC; a file that does not verify (tampered, truncated, swapped, planted) is deleted and the module recompiled,
 * never deserialized. An authentic entry holding another module than the bytes asked for, or compiled with other
 * engine facts, is refused the same way ({@link dev.wasmerffm.ArtifactMismatchException}) and recompiled.
 *
 * <p>The directory must be this user's own: it is created {@code 0700} when absent, and one owned by another user or
 * writable by group or others is refused ({@link CacheDirectoryException}), as is such a key file. Without a key
 * given, the key is {@code directory/.mac-key}, made on first use readable by this user only; a key given is used
 * alone, never a file. {@link #defaultDirectory()} is under the user's own cache directory, never a shared one such
 * as {@code /tmp} where whoever creates the directory first would choose the key.
 *
 * <p>Behind memory and disk there may be a {@link SharedStore} that many processes use (a fleet compiles each module
 * once). Its entries are sealed the same way with a key all processes share; an entry that does not verify is
 * a miss (logged, counted, overwritten by the recompiled artifact), and a store that fails is a miss too, so a lost
 * shared store degrades to compiling locally.
 *
 * <p>Every module returned runs in the engine's own native engine, also a metered one compiled here (loaded from
 * the artifact its compile made), so {@code new Store(engine)} instantiates any of them, on a cold cache as on a warm
 * one.
 *
 * <p>Made with {@link #ModuleCache(Engine)} (memory only) or {@link #builder(Engine)}. Modules returned are shared:
 * do not close them; {@link #close()} closes them all.
 */
public final class ModuleCache implements AutoCloseable {

    private static final CoreAccess CORE = Access.core();

    private final Engine engine;
    private final String facts;
    private final Map<String, Module> memory = new ConcurrentHashMap<>();
    private final AtomicLong hits = new AtomicLong();
    private final AtomicLong misses = new AtomicLong();
    private final AtomicLong compiles = new AtomicLong();
    /** The levels behind memory, either may be null. */
    private final DiskArtifacts disk;

    private final SharedArtifacts shared;
    /** What it was built with, for {@link #forEngine}. */
    private final Builder levels;

    /**
     * Compiled artifacts kept where many processes find them, e.g. Redis. Both methods may throw; the cache then
     * carries on as if the entry were absent.
     */
    public interface SharedStore {

        /** The entry stored under {@code key}, or null. */
        byte[] get(String key);

        /** Stores {@code entry} under {@code key}, replacing any other. */
        void put(String key, byte[] entry);
    }

    /** A memory-only cache. */
    public ModuleCache(Engine engine) {
        this(builder(engine));
    }

    private ModuleCache(Builder b) {
        this.engine = b.engine;
        this.facts = CORE.compiledCodeFacts(engine.config());
        this.disk = b.directory == null ? null : new DiskArtifacts(b.directory, b.maxDiskBytes, b.key);
        this.shared = b.shared == null ? null : new SharedArtifacts(b.shared, b.sharedKey);
        this.levels = b.copyFor(b.engine); // the caller may change its builder afterwards
    }

    /** A cache for {@code engine}: memory, plus the levels the builder adds. */
    public static Builder builder(Engine engine) {
        return new Builder(Objects.requireNonNull(engine, "engine"));
    }

    /** What a {@link ModuleCache} keeps behind memory. */
    public static final class Builder {
        private final Engine engine;
        private Path directory;
        private long maxDiskBytes;
        private ArtifactKey key;
        private SharedStore shared;
        private ArtifactKey sharedKey;

        private Builder(Engine engine) {
            this.engine = engine;
        }

        private Builder copyFor(Engine other) {
            Builder b = new Builder(other);
            b.directory = directory;
            b.maxDiskBytes = maxDiskBytes;
            b.key = key;
            b.shared = shared;
            b.sharedKey = sharedKey;
            return b;
        }

        /** Keeps artifacts in {@code directory} too, e.g. {@link #defaultDirectory()}; it must be this user's own. */
        public Builder directory(Path directory) {
            this.directory = Objects.requireNonNull(directory, "directory");
            return this;
        }

        /** The most bytes kept on disk (oldest files go first); 0, the default, for no bound. */
        public Builder maxDiskBytes(long maxDiskBytes) {
            if (maxDiskBytes < 0) {
                throw new IllegalArgumentException("maxDiskBytes must be >= 0, got " + maxDiskBytes);
            }
            this.maxDiskBytes = maxDiskBytes;
            return this;
        }

        /** The key sealing the files on disk; without one, {@code directory/.mac-key} is used (or created). */
        public Builder key(ArtifactKey key) {
            this.key = Objects.requireNonNull(key, "key");
            return this;
        }

        /** A second level many processes share, behind memory and disk, sealed with a key they all have. */
        public Builder shared(SharedStore store, ArtifactKey sharedKey) {
            this.shared = Objects.requireNonNull(store, "store");
            this.sharedKey = Objects.requireNonNull(
                    sharedKey, "a shared module cache needs a key that every" + " process shares");
            return this;
        }

        /**
         * The cache.
         *
         * @throws CacheDirectoryException if the directory or key file is another user's, or others can write it
         */
        public ModuleCache build() {
            return new ModuleCache(this);
        }
    }

    /**
     * Where a cache on disk belongs: {@code modules} beside the libwasmer build cache, under the user's own cache
     * directory: {@code $XDG_CACHE_HOME/wasmer-java/modules}, else {@code ~/.cache/wasmer-java/modules}
     * ({@code $WASMER_JAVA_CACHE/modules} when that moves the build cache).
     */
    public static Path defaultDirectory() {
        return Loader.buildCacheDirectory().resolveSibling("modules");
    }

    /**
     * A cache for {@code other} with this one's levels behind memory (directory, its bound and key, shared store and
     * its key), and a memory of its own: e.g. for the engine an Extism plugin runs on, so that its kernel and guest
     * are compiled once, not at every start. Entries of different engines' facts have different keys.
     */
    public ModuleCache forEngine(Engine other) {
        return new ModuleCache(levels.copyFor(Objects.requireNonNull(other, "engine")));
    }

    /** The module for these bytes (binary or WAT): from memory, from disk, or compiled and stored. */
    public Module get(byte[] wasmOrWat) {
        byte[] wasm = Wasmer.wat2wasm(wasmOrWat);
        String key = key(wasm);
        Module cached = memory.get(key);
        if (cached != null) {
            hits.incrementAndGet();
            return cached;
        }
        misses.incrementAndGet();
        return memory.computeIfAbsent(key, k -> loadOrCompile(k, wasm));
    }

    /** The key a module's bytes get under this engine's facts. */
    public String key(byte[] wasm) {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            d.update(wasm);
            d.update(facts.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d.digest());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Whether the module with this key is in memory, on disk, or neither. */
    public String state(String key) {
        return memory.containsKey(key) ? "memory" : disk != null && disk.contains(key) ? "disk" : "absent";
    }

    private Module loadOrCompile(String key, byte[] wasm) {
        String identity = disk == null && shared == null ? null : Module.identityOf(wasm);
        ArtifactLevel.Hit hit = disk == null ? null : disk.load(engine, key, identity);
        if (hit != null) {
            return hit.module();
        }
        hit = shared == null ? null : shared.load(engine, key, identity);
        if (hit != null) {
            if (disk != null) {
                disk.save(key, hit.artifact());
            }
            return hit.module();
        }
        Module module = Module.compile(engine, wasm);
        compiles.incrementAndGet();
        boolean own = engine.isMetered();
        if (disk != null || shared != null || own) {
            byte[] artifact = module.serialize();
            if (disk != null) {
                disk.save(key, artifact);
            }
            if (shared != null) {
                shared.save(key, artifact);
            }
            if (own) {
                module = onEngine(module, artifact);
            }
        }
        return module;
    }

    /**
     * A metered compile runs in a native engine of its own (libwasmer's metering middleware serves one module), so
     * its instances could not share {@code new Store(engine)} with the engine's other modules; a module loaded from
     * disk or the shared store runs in the engine's own. Loading the artifact just made there too gives one module
     * the same engine cold or warm, and frees the compile's engine. The bytes never left this process.
     */
    private Module onEngine(Module compiled, byte[] artifact) {
        try (compiled) {
            return Module.deserializeUnchecked(engine, artifact);
        }
    }

    /**
     * Cache statistics.
     *
     * @param hits lookups served from memory
     * @param misses lookups not in memory
     * @param diskLoads modules loaded (after MAC verification) from disk
     * @param compiles modules compiled
     * @param rejected disk entries refused (bad MAC or unusable) and recompiled
     * @param sharedLoads modules loaded (after MAC verification) from the shared store
     * @param sharedRejected shared entries refused (bad MAC or unusable)
     * @param sharedErrors failed reads and writes of the shared store
     * @param size modules in memory
     */
    public record Stats(
            long hits,
            long misses,
            long diskLoads,
            long compiles,
            long rejected,
            long sharedLoads,
            long sharedRejected,
            long sharedErrors,
            int size) {}

    /** Current statistics. */
    public Stats stats() {
        return new Stats(
                hits.get(),
                misses.get(),
                disk == null ? 0 : disk.loads.get(),
                compiles.get(),
                disk == null ? 0 : disk.rejected.get(),
                shared == null ? 0 : shared.loads.get(),
                shared == null ? 0 : shared.rejected.get(),
                shared == null ? 0 : shared.errors.get(),
                memory.size());
    }

    /** The engine it compiles with. */
    public Engine engine() {
        return engine;
    }

    /** Closes every cached module. */
    @Override
    public void close() {
        memory.values().forEach(Module::close);
        memory.clear();
    }
}
