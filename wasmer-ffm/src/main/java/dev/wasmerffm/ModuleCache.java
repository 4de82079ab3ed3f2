package dev.wasmerffm;

import dev.wasmerffm.internal.Loader;
import dev.wasmerffm.internal.OwnFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * Compiled modules by content, in memory and optionally on disk, for one engine. The key is the module's SHA-256
 * plus everything that changes the machine code: libwasmer version, backend, features, target, NaN
 * canonicalization and metering. A file on disk is native code once loaded, so each is sealed as
 * {@link Module#serialize(ArtifactKey)} seals artifacts, with the entry's key bound into the MAC; a file that does not
 * verify (tampered, truncated, swapped, planted) is deleted and the module recompiled, never deserialized.
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
 * <p>Modules returned are shared: do not close them; {@link #close()} closes them all.
 */
public final class ModuleCache implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(ModuleCache.class.getName());
    private static final String SUFFIX = ".wasmer-module";
    private static final String KEY_FILE = ".mac-key";

    private final Engine engine;
    private final Path directory;
    private final long maxDiskBytes;
    private final ArtifactKey diskKey;
    private final SharedStore shared;
    private final ArtifactKey sharedKey;
    private final String facts;
    private final Map<String, Module> memory = new ConcurrentHashMap<>();
    private final AtomicLong hits = new AtomicLong();
    private final AtomicLong misses = new AtomicLong();
    private final AtomicLong diskLoads = new AtomicLong();
    private final AtomicLong compiles = new AtomicLong();
    private final AtomicLong rejected = new AtomicLong();
    private final AtomicLong sharedLoads = new AtomicLong();
    private final AtomicLong sharedRejected = new AtomicLong();
    private final AtomicLong sharedErrors = new AtomicLong();

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
        this(engine, null, 0, null);
    }

    /**
     * A cache that also keeps artifacts in {@code directory}, e.g. {@link #defaultDirectory()}.
     *
     * @param maxDiskBytes the most bytes kept on disk (oldest files go first); 0 for no bound
     * @param key the key sealing the files; null to use (or create) {@code directory/.mac-key}
     * @throws CacheDirectoryException if the directory or key file is another user's, or others can write it
     */
    public ModuleCache(Engine engine, Path directory, long maxDiskBytes, ArtifactKey key) {
        this(engine, directory, maxDiskBytes, key, null, null);
    }

    /**
     * A cache with a shared second level behind memory and (when {@code directory} is not null) disk.
     *
     * @param shared the shared store
     * @param sharedKey the key every process using {@code shared} has
     */
    public ModuleCache(Engine engine, Path directory, long maxDiskBytes, ArtifactKey key, SharedStore shared,
            ArtifactKey sharedKey) {
        if (shared != null && sharedKey == null) {
            throw new IllegalArgumentException("a shared module cache needs a key that every process shares");
        }
        this.shared = shared;
        this.sharedKey = sharedKey;
        this.engine = engine;
        this.directory = directory;
        this.maxDiskBytes = maxDiskBytes;
        this.facts = engine.config().compiledCodeFacts();
        if (directory != null) {
            OwnFiles.directory(directory);
        }
        this.diskKey = key != null || directory == null ? key : ArtifactKey.of(OwnFiles.secret(directory
                .resolve(KEY_FILE), ArtifactKey.MIN_LENGTH));
    }

    /**
     * Where a cache on disk belongs: {@code modules} beside the libwasmer build cache, under the user's own cache
     * directory: {@code $XDG_CACHE_HOME/wasmer-java/modules}, else {@code ~/.cache/wasmer-java/modules}
     * ({@code $WASMER_JAVA_CACHE/modules} when that moves the build cache).
     */
    public static Path defaultDirectory() {
        return Loader.buildCacheDirectory().resolveSibling("modules");
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
        return memory.containsKey(key) ? "memory" : directory != null && Files.exists(file(key)) ? "disk" : "absent";
    }

    private Module loadOrCompile(String key, byte[] wasm) {
        if (directory != null) {
            Module m = loadSealed(key, readFile(key));
            if (m != null) {
                diskLoads.incrementAndGet();
                return m;
            }
            delete(file(key));
        }
        if (shared != null) {
            byte[] artifact = authentic(key, sharedGet(key), sharedKey, sharedRejected);
            Module m = load(artifact, 0, sharedRejected);
            if (m != null) {
                sharedLoads.incrementAndGet();
                if (directory != null) {
                    store(key, artifact);
                }
                return m;
            }
        }
        Module module = Module.compile(engine, wasm);
        compiles.incrementAndGet();
        if (directory != null || shared != null) {
            byte[] artifact = module.serialize();
            if (directory != null) {
                store(key, artifact);
            }
            if (shared != null) {
                sharedPut(key, sharedKey.seal(context(key), artifact));
            }
        }
        return module;
    }

    /** What binds an entry to its key: an authentic entry of another module is refused. */
    private static byte[] context(String key) {
        return key.getBytes(StandardCharsets.UTF_8);
    }

    private Path file(String key) {
        return directory.resolve(key + SUFFIX);
    }

    private byte[] readFile(String key) {
        try {
            return Files.readAllBytes(file(key));
        } catch (IOException e) {
            return null; // absent or unreadable: compile
        }
    }

    /** The artifact of a sealed {@code entry} if it verifies; null (counted if present) if not. */
    private byte[] authentic(String key, byte[] entry, ArtifactKey macKey, AtomicLong rejections) {
        if (entry == null) {
            return null;
        }
        try {
            return macKey.open(entry, context(key));
        } catch (ArtifactAuthenticationException e) {
            return rejectedEntry(key, rejections);
        }
    }

    private static <T> T rejectedEntry(String key, AtomicLong rejections) {
        rejections.incrementAndGet(); // never deserialize what we cannot authenticate
        LOG.log(System.Logger.Level.WARNING, "module cache entry " + key + " failed authentication: recompiling");
        return null;
    }

    /** The module of a sealed disk entry, loaded in place if it verifies; null (counted if present) if not. */
    private Module loadSealed(String key, byte[] entry) {
        if (entry == null) {
            return null;
        }
        int from;
        try {
            from = diskKey.verify(entry, context(key));
        } catch (ArtifactAuthenticationException e) {
            return rejectedEntry(key, rejected);
        }
        return load(entry, from, rejected);
    }

    /** The module of an authentic artifact (from {@code from} on); null if none or this libwasmer cannot use it. */
    private Module load(byte[] artifact, int from, AtomicLong rejections) {
        if (artifact == null) {
            return null;
        }
        try {
            return Module.deserializeAt(engine, artifact, from); // authenticated just before
        } catch (CompileException e) {
            rejections.incrementAndGet(); // authentic but unusable (e.g. another libwasmer build): recompile
            return null;
        }
    }

    private byte[] sharedGet(String key) {
        try {
            return shared.get(key);
        } catch (RuntimeException e) {
            sharedFailed("read", key, e);
            return null;
        }
    }

    private void sharedPut(String key, byte[] entry) {
        try {
            shared.put(key, entry);
        } catch (RuntimeException e) {
            sharedFailed("write", key, e);
        }
    }

    private void sharedFailed(String what, String key, RuntimeException e) {
        sharedErrors.incrementAndGet();
        LOG.log(System.Logger.Level.WARNING, "shared module cache: cannot " + what + " " + key + " (" + e
                + "): compiling locally");
    }

    private void store(String key, byte[] artifact) {
        try {
            Path tmp = Files.createTempFile(directory, key, ".tmp");
            Files.write(tmp, diskKey.seal(context(key), artifact));
            try {
                Files.move(tmp, file(key), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file(key), StandardCopyOption.REPLACE_EXISTING);
            }
            evict();
        } catch (IOException e) {
            // a cache that cannot write still works, from memory
        }
    }

    private void evict() throws IOException {
        if (maxDiskBytes <= 0) {
            return;
        }
        try (Stream<Path> files = Files.list(directory)) {
            var list = files.filter(p -> p.toString().endsWith(SUFFIX))
                    .sorted(Comparator.comparingLong(ModuleCache::modified).reversed()).toList();
            long total = 0;
            for (Path p : list) {
                total += Files.size(p);
                if (total > maxDiskBytes) {
                    delete(p);
                }
            }
        }
    }

    private static long modified(Path p) {
        try {
            return Files.getLastModifiedTime(p).toMillis();
        } catch (IOException e) {
            return 0;
        }
    }

    private static void delete(Path f) {
        try {
            Files.deleteIfExists(f);
        } catch (IOException ignored) {
            // the next load verifies it again
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
    public record Stats(long hits, long misses, long diskLoads, long compiles, long rejected, long sharedLoads,
            long sharedRejected, long sharedErrors, int size) {
    }

    /** Current statistics. */
    public Stats stats() {
        return new Stats(hits.get(), misses.get(), diskLoads.get(), compiles.get(), rejected.get(), sharedLoads.get(),
                sharedRejected.get(), sharedErrors.get(), memory.size());
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
