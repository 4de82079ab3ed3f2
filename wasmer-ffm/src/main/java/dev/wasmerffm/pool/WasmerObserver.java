package dev.wasmerffm.pool;

import dev.wasmerffm.TrapException;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * Receives what the module registry and the instance pool do, e.g. to record metrics or observations. Methods run on
 * the calling thread: keep them cheap.
 */
public interface WasmerObserver {

    /** Observes nothing. */
    WasmerObserver NONE = new WasmerObserver() {};

    /** The name observed for a module or function that is not registered, so callers' input cannot add names. */
    String UNKNOWN = "unknown";

    /** A module was loaded, compiled or from the cache: when its registry was built, or registered at runtime. */
    default void moduleLoaded(String module, long nanos) {}

    /** A pooled instance was made. */
    default void instantiated(String module, long nanos) {}

    /**
     * A call through the pool starts (before an instance is borrowed); the scope returned hears when it ends.
     *
     * @param module a registered module, or {@link #UNKNOWN}
     * @param function a function that module exports, or {@link #UNKNOWN}
     */
    default CallScope callStarted(String module, String function) {
        return CallScope.NONE;
    }

    /**
     * A pooled instance's wasm call leaves a virtual thread for the platform thread that runs it
     * ({@link dev.wasmerffm.Store#handOff}): called on the calling thread, inside {@link #callStarted}'s call;
     * returns what the platform thread runs instead of {@code call}, e.g. {@code call} in the calling thread's
     * observation scope, so host functions see it there too. Default: {@code call}.
     */
    default Runnable handOff(Runnable call) {
        return call;
    }

    /** One call being observed: started on the thread that called, and ended there. */
    @FunctionalInterface
    interface CallScope {

        /** Hears nothing. */
        CallScope NONE = (nanos, points, failure) -> {};

        /**
         * The call ended.
         *
         * @param nanos how long it took, borrowing included
         * @param points the metering points it used, or -1 if unknown (an unmetered module, no instance borrowed, or
         *     points not given back per call)
         * @param failure what it threw, or null
         */
        void ended(long nanos, long points, @Nullable Throwable failure);
    }

    /** How a call ended, as observers tag it. */
    enum Outcome {
        SUCCESS,
        TRAP,
        ERROR;

        /** The outcome of a call that threw {@code failure} (null: none). */
        public static Outcome of(@Nullable Throwable failure) {
            return failure == null ? SUCCESS : failure instanceof TrapException ? TRAP : ERROR;
        }

        /** The tag value: success, trap or error. */
        public String tag() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** All of {@code observers}, in order; {@link #NONE} for none. */
    static WasmerObserver of(List<WasmerObserver> observers) {
        if (observers.size() < 2) {
            return observers.isEmpty() ? NONE : observers.getFirst();
        }
        return new WasmerObserver() {
            @Override
            public void moduleLoaded(String module, long nanos) {
                observers.forEach(o -> o.moduleLoaded(module, nanos));
            }

            @Override
            public void instantiated(String module, long nanos) {
                observers.forEach(o -> o.instantiated(module, nanos));
            }

            @Override
            public CallScope callStarted(String module, String function) {
                List<CallScope> scopes = observers.stream()
                        .map(o -> o.callStarted(module, function))
                        .toList();
                return (nanos, points, failure) -> scopes.forEach(s -> s.ended(nanos, points, failure));
            }

            @Override
            public Runnable handOff(Runnable call) {
                Runnable wrapped = call;
                for (WasmerObserver o : observers) {
                    wrapped = o.handOff(wrapped);
                }
                return wrapped;
            }
        };
    }
}
