package dev.wasmerffm;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Compiled modules by content, in memory and optionally on disk, for one engine. The key is the module's SHA-256
 * plus everything that changes the machine code: libwasmer version, backend, features, target, NaN
 * canonicalization and metering. A file on disk is native code once loaded, so each carries an HMAC-SHA256 over its
 * key and artifact; a file whose MAC does not verify (tampered, truncated, swapped) is deleted and the module
 * recompiled, never deserialized.
 *
 * <p>Behind memory and disk there may be a {@link SharedStore} that many processes use (a fleet compiles each module
 * once). Its entries are authenticated the same way with a key all processes share; an entry that does not verify is
 * a miss (logged, counted, overwritten by the recompiled artifact), and a store that fails is a miss too, so a lost
 * shared store degrades to compiling locally.
 *
 * <p>Modules returned are shared: do not close them; {@link #close()} closes them all.
 */
public final class ModuleCache implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(ModuleCache.class.getName());
    private static final String SUFFIX = ".wasmer-module";
    private static final int MAC_LENGTH = 32;

    private final Engine engine;
    private final Path directory;
    private final long maxDiskBytes;
    private final byte[] macKey;
    private final SharedStore shared;
    private final byte[] sharedKey;
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
     * A cache that also keeps artifacts in {@code directory}.
     *
     * @param maxDiskBytes the most bytes kept on disk (oldest files go first); 0 for no bound
     * @param macKey the HMAC key; null to use (or create) {@code directory/.mac-key}, readable by this user only
     */
    public ModuleCache(Engine engine, Path directory, long maxDiskBytes, byte[] macKey) {
        this(engine, directory, maxDiskBytes, macKey, null, null);
    }

    /**
     * A cache with a shared second level behind memory and (when {@code directory} is not null) disk.
     *
     * @param shared the shared store
     * @param sharedKey the HMAC key every process using {@code shared} has, at least 32 bytes
     */
    public ModuleCache(Engine engine, Path directory, long maxDiskBytes, byte[] macKey, SharedStore shared,
            byte[] sharedKey) {
        if (shared != null && (sharedKey == null || sharedKey.length < 32)) {
            throw new IllegalArgumentException("a shared module cache needs an HMAC key of at least 32 bytes");
        }
        this.shared = shared;
        this.sharedKey = sharedKey == null ? null : sharedKey.clone();
        this.engine = engine;
        this.directory = directory;
        this.maxDiskBytes = maxDiskBytes;
        this.facts = facts(engine.config());
        try {
            if (directory != null) {
                Files.createDirectories(directory);
            }
            this.macKey = macKey != null ? macKey.clone() : directory != null ? keyFile(directory) : null;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot use module cache directory " + directory, e);
        }
    }

    /** What, besides the bytes, makes compiled code differ. */
    static String facts(Config c) {
        Metering m = c.metering();
        return "wasmer=" + Wasmer.version() + ";backend=" + c.backend() + ";features=" + c.features() + ";target="
                + (c.target() == null ? "host" : c.target()) + ";nans=" + c.canonicalizeNans() + ";maxMemoryPages="
                + c.maxMemoryPages() + ";maxTableElements=" + c.maxTableElements() + ";metering="
                + (m == null ? "off" : m.initialPoints() + "/" + Arrays.hashCode(
                        Metering.OPERATORS.stream().mapToLong(m::cost).toArray()));
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
            Module m = open(authentic(key, readFile(key), macKey, rejected), rejected);
            if (m != null) {
                diskLoads.incrementAndGet();
                return m;
            }
            delete(file(key));
        }
        if (shared != null) {
            byte[] artifact = authentic(key, sharedGet(key), sharedKey, sharedRejected);
            Module m = open(artifact, sharedRejected);
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
                sharedPut(key, entry(key, artifact, sharedKey));
            }
        }
        return module;
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

    /** The artifact of {@code entry} (MAC then artifact) if its MAC verifies; null (counted if present) if not. */
    private byte[] authentic(String key, byte[] entry, byte[] macKey, AtomicLong rejections) {
        if (entry == null) {
            return null;
        }
        byte[] artifact = entry.length > MAC_LENGTH ? Arrays.copyOfRange(entry, MAC_LENGTH, entry.length) : null;
        if (artifact == null || !MessageDigest.isEqual(Arrays.copyOf(entry, MAC_LENGTH), mac(macKey, key, artifact))) {
            rejections.incrementAndGet(); // never deserialize what we cannot authenticate
            LOG.log(System.Logger.Level.WARNING, "module cache entry " + key + " failed authentication: recompiling");
            return null;
        }
        return artifact;
    }

    /** The module of an authentic artifact; null if there is none or this libwasmer cannot use it. */
    private Module open(byte[] artifact, AtomicLong rejections) {
        if (artifact == null) {
            return null;
        }
        try {
            return Module.deserialize(engine, artifact);
        } catch (CompileException e) {
            rejections.incrementAndGet(); // authentic but unusable (e.g. another libwasmer build): recompile
            return null;
        }
    }

    private byte[] entry(String key, byte[] artifact, byte[] macKey) {
        return ByteBuffer.allocate(MAC_LENGTH + artifact.length).put(mac(macKey, key, artifact)).put(artifact).array();
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
            Files.write(tmp, entry(key, artifact, macKey));
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

    private static byte[] mac(byte[] macKey, String key, byte[] artifact) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(macKey, "HmacSHA256"));
            mac.update(key.getBytes(StandardCharsets.UTF_8));
            return mac.doFinal(artifact);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] keyFile(Path directory) throws IOException {
        Path f = directory.resolve(".mac-key");
        if (Files.exists(f)) {
            return Files.readAllBytes(f);
        }
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        Path tmp = Files.createTempFile(directory, ".mac-key", ".tmp");
        try {
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException ignored) {
            // not a POSIX file system
        }
        Files.write(tmp, key);
        try {
            Files.move(tmp, f, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException raced) {
            Files.deleteIfExists(tmp); // another process made it first: use theirs
        }
        return Files.readAllBytes(f);
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
