package dev.wasmerffm.spring.boot.modules;

import java.time.Duration;

/**
 * The limits of one module's pooled calls.
 *
 * @param points metering points an instance gets (per call or per instance, as the pool resets them)
 * @param callTimeout the deadline of every call, {@link Duration#ZERO} for none; a call past it stops with a
 *     {@link dev.wasmerffm.DeadlineExceededException} and its instance is replaced
 */
public record ModuleLimits(long points, Duration callTimeout) {

    public ModuleLimits {
        if (points < 0) {
            throw new IllegalArgumentException("points must be >= 0, got " + points);
        }
        if (callTimeout.isNegative()) {
            throw new IllegalArgumentException("callTimeout must be >= 0, got " + callTimeout);
        }
    }
}
