package dev.wasmerffm;

import java.time.Duration;
import java.util.List;

/**
 * A call ran past its deadline and was stopped ({@link Func#callWithTimeout(Duration, Object...)},
 * {@link Store#callTimeout(Duration)}). A trap like any other: the wasm stack was unwound, the store and the instance
 * stay usable (with the points they had when stopped), and code that handles {@link TrapException} (discarding a
 * pooled instance, counting traps) handles this too. {@link #getCause()} is what a host function running at the
 * deadline threw, typically an {@link InterruptedException}.
 */
public final class DeadlineExceededException extends TrapException {

    private final Duration timeout;

    DeadlineExceededException(String where, Duration timeout, List<TrapFrame> frames, Throwable cause) {
        super(TrapKind.DEADLINE_EXCEEDED, where, "deadline of " + timeout.toMillis() + " ms exceeded", frames, cause);
        this.timeout = timeout;
    }

    /** The deadline the call had. */
    public Duration timeout() {
        return timeout;
    }
}
