package dev.wasmerffm.spring.boot.autoconfigure;

/**
 * {@code wasmer.cache.shared.enabled=true} and the context has no single {@code CacheManager} to keep the shared level
 * in; {@link SharedCacheFailureAnalyzer} reports it.
 */
final class NoCacheManagerException extends IllegalStateException {

    private static final long serialVersionUID = 1L;

    NoCacheManagerException() {
        super("wasmer.cache.shared.enabled=true needs one CacheManager bean "
                + "(e.g. @EnableCaching with spring.cache.type=redis)");
    }
}
