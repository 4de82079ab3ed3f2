package dev.wasmerffm.spring.boot.cache;

import dev.wasmerffm.cache.ModuleCache;
import org.jspecify.annotations.Nullable;
import org.springframework.cache.Cache;
import org.springframework.cache.CacheManager;

/**
 * The module cache's shared level on a cache of Spring's abstraction, e.g. Redis through {@code RedisCacheManager}.
 * It stores what {@link ModuleCache} gives it (MAC and artifact) as it is: authentication happens in the module
 * cache, so the store needs no trust.
 */
public final class SpringCacheSharedStore implements ModuleCache.SharedStore {

    private final CacheManager manager;
    private final String name;

    /** The cache named {@code name} of {@code manager}, looked up on each use so a late-created cache is found. */
    public SpringCacheSharedStore(CacheManager manager, String name) {
        this.manager = manager;
        this.name = name;
    }

    private Cache cache() {
        Cache cache = manager.getCache(name);
        if (cache == null) {
            throw new IllegalStateException("no cache named '" + name + "' (wasmer.cache.shared.cache-name) in "
                    + manager.getClass().getSimpleName());
        }
        return cache;
    }

    @Override
    public byte @Nullable [] get(String key) {
        return cache().get(key, byte[].class);
    }

    @Override
    public void put(String key, byte[] entry) {
        cache().put(key, entry);
    }
}
