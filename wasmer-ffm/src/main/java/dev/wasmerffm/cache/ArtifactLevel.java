package dev.wasmerffm.cache;

import dev.wasmerffm.ArtifactAuthenticationException;
import dev.wasmerffm.ArtifactKey;
import dev.wasmerffm.CompileException;
import dev.wasmerffm.Engine;
import dev.wasmerffm.Module;
import dev.wasmerffm.internal.access.Access;
import dev.wasmerffm.internal.access.CoreAccess;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A level of a {@link ModuleCache} behind memory: sealed artifacts kept somewhere (a directory, a shared store),
 * each bound to its cache key by the MAC. Nothing is deserialized that does not verify.
 */
abstract sealed class ArtifactLevel permits DiskArtifacts, SharedArtifacts {

    private static final CoreAccess CORE = Access.core();

    static final System.Logger LOG = System.getLogger(ModuleCache.class.getName());

    private final ArtifactKey key;
    /** Modules loaded (after MAC verification) from this level. */
    final AtomicLong loads = new AtomicLong();
    /** Entries refused (bad MAC, or authentic but unusable by this libwasmer). */
    final AtomicLong rejected = new AtomicLong();

    ArtifactLevel(ArtifactKey key) {
        this.key = key;
    }

    /** The sealed entry under {@code cacheKey}, or null if there is none (or it cannot be read). */
    abstract byte[] read(String cacheKey);

    /** Keeps a sealed entry under {@code cacheKey}; failures leave the level without it. */
    abstract void write(String cacheKey, byte[] sealed);

    /** Drops a refused entry so it is not verified again; by default it is left for the next write to replace. */
    void discard(String cacheKey) {}

    /** A loaded module and its artifact (for the levels in front of this one); null if there is none usable. */
    record Hit(Module module, byte[] entry, int from) {
        byte[] artifact() {
            return Arrays.copyOfRange(entry, from, entry.length);
        }
    }

    /**
     * The module under {@code cacheKey}, verified, checked to be the module {@code identity} compiled by an engine
     * like this one, and deserialized in place; null (counted) if refused.
     */
    final Hit load(Engine engine, String cacheKey, String identity) {
        byte[] entry = read(cacheKey);
        if (entry == null) {
            return null;
        }
        int from;
        try {
            from = CORE.verify(key, entry, context(cacheKey));
        } catch (ArtifactAuthenticationException e) {
            LOG.log(
                    System.Logger.Level.WARNING,
                    "module cache entry " + cacheKey + " (" + this + ") failed authentication: recompiling");
            return refused(cacheKey);
        }
        try {
            Module m = CORE.deserializeAt(engine, entry, from, identity); // authenticated just before
            loads.incrementAndGet();
            return new Hit(m, entry, from);
        } catch (CompileException e) {
            // authentic but another module, or for another engine or libwasmer build: recompile
            LOG.log(
                    System.Logger.Level.WARNING,
                    "module cache entry " + cacheKey + " (" + this + ") not usable: " + e.getMessage()
                            + ": recompiling");
            return refused(cacheKey);
        }
    }

    /** Seals {@code artifact} for {@code cacheKey} and keeps it. */
    final void save(String cacheKey, byte[] artifact) {
        write(cacheKey, CORE.seal(key, context(cacheKey), artifact));
    }

    private Hit refused(String cacheKey) {
        rejected.incrementAndGet(); // never deserialize what we cannot authenticate
        discard(cacheKey);
        return null;
    }

    /** What binds an entry to its key: an authentic entry of another module is refused. */
    private static byte[] context(String cacheKey) {
        return cacheKey.getBytes(StandardCharsets.UTF_8);
    }
}
