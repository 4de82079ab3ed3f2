package dev.wasmerffm;

import java.util.function.UnaryOperator;

/** Store hand-offs for tests. */
public final class HandOffs {

    private HandOffs() {}

    /**
     * Carries {@code local}'s value from the thread that calls to the platform thread that runs the call, as a
     * tracer's scope would be carried, and restores that thread's own value after.
     */
    public static <T> UnaryOperator<Runnable> carrying(ThreadLocal<T> local) {
        return call -> {
            T captured = local.get(); // on the calling thread
            return () -> {
                T before = local.get();
                local.set(captured);
                try {
                    call.run();
                } finally {
                    local.set(before);
                }
            };
        };
    }
}
