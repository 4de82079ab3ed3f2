package dev.wasmerffm.spring.boot.modules;

/**
 * Receives what the module registry and the instance pool do, e.g. to record metrics. Methods run on the calling
 * thread, right after the event: keep them cheap.
 */
public interface WasmerObserver {

    /** Observes nothing. */
    WasmerObserver NONE = new WasmerObserver() {
    };

    /** A module was loaded at startup, compiled or from the cache. */
    default void moduleLoaded(String module, long nanos) {
    }

    /** A pooled instance was made. */
    default void instantiated(String module, long nanos) {
    }

    /** The name observed for a module or function that is not registered, so callers' input cannot add names. */
    String UNKNOWN = "unknown";

    /**
     * A call through the pool finished.
     *
     * @param module a registered module, or {@link #UNKNOWN}
     * @param function a function that module exports, or {@link #UNKNOWN}
     * @param failure what it threw, or null
     */
    default void called(String module, String function, long nanos, Throwable failure) {
    }
}
