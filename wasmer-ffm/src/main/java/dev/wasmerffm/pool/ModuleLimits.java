package dev.wasmerffm.pool;

import java.time.Duration;

/**
 * The limits of one module's pooled calls.
 *
 * @param points metering points an instance gets (per call or per instance, as the pool resets them)
 * @param callTimeout the deadline of every call, {@link Duration#ZERO} for none; a call past it stops with a
 *     {@link dev.wasmerffm.DeadlineExceededException} and its instance is replaced
 * @param maxMemory the most bytes the module's own memory may reach, -1 for no limit (applied when it is compiled)
 * @param poolSize the most instances of the module at once
 */
public record ModuleLimits(long points, Duration callTimeout, long maxMemory, int poolSize) {

    public ModuleLimits {
        if (points < 0) {
            throw new IllegalArgumentException("points must be >= 0, got " + points);
        }
        if (callTimeout.isNegative()) {
            throw new IllegalArgumentException("callTimeout must be >= 0, got " + callTimeout);
        }
        if (poolSize < 1) {
            throw new IllegalArgumentException("poolSize must be >= 1, got " + poolSize);
        }
    }
}
