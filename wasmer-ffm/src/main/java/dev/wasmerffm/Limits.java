package dev.wasmerffm;

/**
 * Size limits of a memory (in 64 KiB pages) or a table (in elements).
 *
 * @param min the minimum (initial) size
 * @param max the maximum size, or {@link #NO_MAX}
 */
public record Limits(long min, long max) {

    /** No declared maximum ({@code wasm_limits_max_default}). */
    public static final long NO_MAX = Integer.toUnsignedLong(dev.wasmerffm.internal.Layouts.LIMITS_MAX_DEFAULT);

    /** Checks both are unsigned 32-bit values and min ≤ max. */
    public Limits {
        if (min < 0 || min > NO_MAX || max < 0 || max > NO_MAX || min > max) {
            throw new IllegalArgumentException("invalid limits min=" + min + " max=" + max);
        }
    }

    /** Limits with a minimum and no maximum. */
    public static Limits atLeast(long min) {
        return new Limits(min, NO_MAX);
    }

    /** Whether a maximum is declared. */
    public boolean hasMax() {
        return max != NO_MAX;
    }

    @Override
    public String toString() {
        return hasMax() ? min + ".." + max : min + "..";
    }
}
