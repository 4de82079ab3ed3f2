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
 * <p>Modules returned are shared: do not close them; {@link #close()} closes them all.
 */
public final class ModuleCache implements AutoCloseable {

    private static final String SUFFIX = ".wasmer-module";
    private static final int MAC_LENGTH = 32;

    private final Engine engine;
    private final Path directory;
    private final long maxDiskBytes;
    private final byte[] macKey;
    private final String facts;
    private final Map<String, Module> memory = new ConcurrentHashMap<>();
    private final AtomicLong hits = new AtomicLong();
    private final AtomicLong misses = new AtomicLong();
    private final AtomicLong diskLoads = new AtomicLong();
    private final AtomicLong compiles = new AtomicLong();
    private final AtomicLong rejected = new AtomicLong();

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
            Module loaded = load(key);
            if (loaded != null) {
                diskLoads.incrementAndGet();
                return loaded;
            }
        }
        Module module = Module.compile(engine, wasm);
        compiles.incrementAndGet();
        if (directory != null) {
            store(key, module.serialize());
        }
        return module;
    }

    private Path file(String key) {
        return directory.resolve(key + SUFFIX);
    }

    private Module load(String key) {
        Path f = file(key);
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(f);
        } catch (IOException e) {
            return null; // absent or unreadable: compile
        }
        byte[] artifact = bytes.length > MAC_LENGTH ? Arrays.copyOfRange(bytes, MAC_LENGTH, bytes.length) : null;
        if (artifact == null || !MessageDigest.isEqual(Arrays.copyOf(bytes, MAC_LENGTH), mac(key, artifact))) {
            rejected.incrementAndGet(); // never deserialize what we cannot authenticate
            delete(f);
            return null;
        }
        try {
            return Module.deserialize(engine, artifact);
        } catch (CompileException e) {
            rejected.incrementAndGet(); // authentic but unusable (e.g. another libwasmer build): recompile
            delete(f);
            return null;
        }
    }

    private void store(String key, byte[] artifact) {
        try {
            Path tmp = Files.createTempFile(directory, key, ".tmp");
            Files.write(tmp, ByteBuffer.allocate(MAC_LENGTH + artifact.length).put(mac(key, artifact)).put(artifact)
                    .array());
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

    private byte[] mac(String key, byte[] artifact) {
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
     * @param size modules in memory
     */
    public record Stats(long hits, long misses, long diskLoads, long compiles, long rejected, int size) {
    }

    /** Current statistics. */
    public Stats stats() {
        return new Stats(hits.get(), misses.get(), diskLoads.get(), compiles.get(), rejected.get(), memory.size());
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
