package dev.wasmerffm.cache;

import dev.wasmerffm.ArtifactKey;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link ModuleCache}'s {@link ModuleCache.SharedStore}: a store that fails is a miss, so a lost shared store
 * degrades to compiling locally; a refused entry is overwritten by the recompiled artifact.
 */
final class SharedArtifacts extends ArtifactLevel {

    private final ModuleCache.SharedStore store;
    /** Failed reads and writes. */
    final AtomicLong errors = new AtomicLong();

    SharedArtifacts(ModuleCache.SharedStore store, ArtifactKey key) {
        super(key);
        this.store = store;
    }

    @Override
    byte[] read(String cacheKey) {
        try {
            return store.get(cacheKey);
        } catch (RuntimeException e) {
            failed("read", cacheKey, e);
            return null;
        }
    }

    @Override
    void write(String cacheKey, byte[] sealed) {
        try {
            store.put(cacheKey, sealed);
        } catch (RuntimeException e) {
            failed("write", cacheKey, e);
        }
    }

    private void failed(String what, String cacheKey, RuntimeException e) {
        errors.incrementAndGet();
        LOG.log(
                System.Logger.Level.WARNING,
                "shared module cache: cannot " + what + " " + cacheKey + " (" + e + "): compiling locally");
    }

    @Override
    public String toString() {
        return "shared store";
    }
}
