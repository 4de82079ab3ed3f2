package dev.wasmerffm;

/**
 * A v128 value: 128 bits as two longs, lane 0 in the low bits of {@code low} (wasm's little-endian lane order).
 * Lane views read and make the same bits as i8x16, i16x8, i32x4, i64x2, f32x4 or f64x2. Float lanes are carried as
 * bits: {@link #i32(int)}/{@link #i64(int)} give a NaN lane's payload exactly.
 */
public record V128(long low, long high) {

    /** From 16 byte lanes. */
    public static V128 ofI8x16(byte... lanes) {
        return ofLanes(lanes.length, 16, i -> lanes[i] & 0xFFL);
    }

    /** From 8 16-bit lanes. */
    public static V128 ofI16x8(short... lanes) {
        return ofLanes(lanes.length, 8, i -> lanes[i] & 0xFFFFL);
    }

    /** From 4 32-bit lanes. */
    public static V128 ofI32x4(int... lanes) {
        return ofLanes(lanes.length, 4, i -> lanes[i] & 0xFFFF_FFFFL);
    }

    /** From 2 64-bit lanes. */
    public static V128 ofI64x2(long... lanes) {
        return ofLanes(lanes.length, 2, i -> lanes[i]);
    }

    /** From 4 float lanes (their raw bits). */
    public static V128 ofF32x4(float... lanes) {
        return ofLanes(lanes.length, 4, i -> Float.floatToRawIntBits(lanes[i]) & 0xFFFF_FFFFL);
    }

    /** From 2 double lanes (their raw bits). */
    public static V128 ofF64x2(double... lanes) {
        return ofLanes(lanes.length, 2, i -> Double.doubleToRawLongBits(lanes[i]));
    }

    private static V128 ofLanes(int given, int count, java.util.function.IntToLongFunction lane) {
        if (given != count) {
            throw new IllegalArgumentException("a v128 has " + count + " lanes of this shape, got " + given);
        }
        int bits = 128 / count;
        long lo = 0;
        long hi = 0;
        for (int i = 0; i < count; i++) {
            long v = lane.applyAsLong(i);
            int at = i * bits;
            if (at < 64) {
                lo |= v << at;
            } else {
                hi |= v << (at - 64);
            }
        }
        return new V128(lo, hi);
    }

    private long bits(int lane, int bits) {
        int count = 128 / bits;
        if (lane < 0 || lane >= count) {
            throw new IndexOutOfBoundsException("lane " + lane + " of " + count);
        }
        int at = lane * bits;
        long word = at < 64 ? low : high;
        return bits == 64 ? word : (word >>> (at & 63)) & ((1L << bits) - 1);
    }

    /** Byte lane {@code lane} (0..15), signed. */
    public byte i8(int lane) {
        return (byte) bits(lane, 8);
    }

    /** 16-bit lane {@code lane} (0..7), signed. */
    public short i16(int lane) {
        return (short) bits(lane, 16);
    }

    /** 32-bit lane {@code lane} (0..3). */
    public int i32(int lane) {
        return (int) bits(lane, 32);
    }

    /** 64-bit lane {@code lane} (0..1). */
    public long i64(int lane) {
        return bits(lane, 64);
    }

    /** Float lane {@code lane} (0..3); use {@link #i32(int)} for a NaN's exact bits. */
    public float f32(int lane) {
        return Float.intBitsToFloat(i32(lane));
    }

    /** Double lane {@code lane} (0..1); use {@link #i64(int)} for a NaN's exact bits. */
    public double f64(int lane) {
        return Double.longBitsToDouble(i64(lane));
    }

    @Override
    public String toString() {
        return String.format("v128[0x%016x%016x]", high, low);
    }
}
