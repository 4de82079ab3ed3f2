package dev.wasmerffm.spec;

import dev.wasmerffm.Func;
import dev.wasmerffm.V128;
import java.util.List;
import java.util.Map;

/** wast2json values (unsigned decimal strings, floats as bits) to Java and the comparison of results. */
final class Values {

    private Values() {}

    /** An argument; externref {@code n} is the same object every time the script names it. */
    static Object arg(Map<String, Object> v, Map<Long, Object> externs) {
        String type = (String) v.get("type");
        Object value = v.get("value");
        return switch (type) {
            case "i32" -> Integer.parseUnsignedInt((String) value);
            case "i64" -> Long.parseUnsignedLong((String) value);
            case "f32" -> Float.intBitsToFloat(Integer.parseUnsignedInt((String) value));
            case "f64" -> Double.longBitsToDouble(Long.parseUnsignedLong((String) value));
            case "externref" -> "null".equals(value) ? null : extern(externs, (String) value);
            case "funcref" -> {
                if (!"null".equals(value)) {
                    throw new IllegalArgumentException("funcref argument " + value);
                }
                yield null;
            }
            case "v128" -> v128((String) v.get("lane_type"), (List<?>) value);
            default -> throw new IllegalArgumentException("value type " + type);
        };
    }

    private static Object extern(Map<Long, Object> externs, String n) {
        return externs.computeIfAbsent(Long.parseLong(n), k -> new Object() {
            @Override
            public String toString() {
                return "externref " + k;
            }
        });
    }

    /** A v128 from its lanes, through the public lane factories. */
    private static V128 v128(String lane, List<?> lanes) {
        long[] v = lanes.stream()
                .mapToLong(x -> Long.parseUnsignedLong((String) x))
                .toArray();
        return switch (lane) {
            case "i8" -> {
                byte[] b = new byte[16];
                for (int i = 0; i < 16; i++) {
                    b[i] = (byte) v[i];
                }
                yield V128.ofI8x16(b);
            }
            case "i16" -> {
                short[] h = new short[8];
                for (int i = 0; i < 8; i++) {
                    h[i] = (short) v[i];
                }
                yield V128.ofI16x8(h);
            }
            case "i32", "f32" -> V128.ofI32x4((int) v[0], (int) v[1], (int) v[2], (int) v[3]);
            default -> V128.ofI64x2(v[0], v[1]);
        };
    }

    /** Lane {@code i} of {@code x} as an unsigned value of {@code bits} bits, through the public lane views. */
    private static long lane(V128 x, int bits, int i) {
        return switch (bits) {
            case 8 -> x.i8(i) & 0xFFL;
            case 16 -> x.i16(i) & 0xFFFFL;
            case 32 -> x.i32(i) & 0xFFFF_FFFFL;
            default -> x.i64(i);
        };
    }

    private static int laneBits(String lane) {
        return switch (lane) {
            case "i8" -> 8;
            case "i16" -> 16;
            case "i32", "f32" -> 32;
            case "i64", "f64" -> 64;
            default -> throw new IllegalArgumentException("lane type " + lane);
        };
    }

    private static long mask(int bits) {
        return bits == 64 ? -1L : (1L << bits) - 1;
    }

    /** Throws a {@link SpecFile.Mismatch} describing both unless {@code got} is the expected value. */
    static void expect(Map<String, Object> v, Object got, Map<Long, Object> externs) {
        String type = (String) v.get("type");
        Object value = v.get("value");
        boolean ok =
                switch (type) {
                    case "i32" -> got instanceof Integer i && i == Integer.parseUnsignedInt((String) value);
                    case "i64" -> got instanceof Long l && l == Long.parseUnsignedLong((String) value);
                    case "f32" ->
                        got instanceof Float f
                                && bitsMatch((String) value, Float.floatToRawIntBits(f) & 0xFFFF_FFFFL, 32);
                    case "f64" ->
                        got instanceof Double d && bitsMatch((String) value, Double.doubleToRawLongBits(d), 64);
                    case "externref" ->
                        value == null
                                ? got != null && !(got instanceof Func)
                                : "null".equals(value) ? got == null : got == extern(externs, (String) value);
                    case "funcref" -> value == null ? got instanceof Func : "null".equals(value) && got == null;
                    case "v128" -> got instanceof V128 x && lanesMatch((String) v.get("lane_type"), (List<?>) value, x);
                    default -> throw new IllegalArgumentException("value type " + type);
                };
        if (!ok) {
            throw new SpecFile.Mismatch("got " + got + ", expected " + type + " " + value);
        }
    }

    private static boolean lanesMatch(String lane, List<?> lanes, V128 x) {
        int bits = laneBits(lane);
        for (int i = 0; i < lanes.size(); i++) {
            long got = lane(x, bits, i);
            String want = (String) lanes.get(i);
            boolean ok = lane.startsWith("f")
                    ? bitsMatch(want, got, bits)
                    : got == (Long.parseUnsignedLong(want) & mask(bits));
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /** A float's bits against an expected bit pattern or NaN class. */
    private static boolean bitsMatch(String want, long bits, int width) {
        long sign = 1L << (width - 1);
        long quiet = width == 32 ? 0x7FC0_0000L : 0x7FF8_0000_0000_0000L;
        return switch (want) {
            case "nan:canonical" -> (bits & ~sign & mask(width)) == quiet;
            case "nan:arithmetic" -> (bits & quiet) == quiet;
            default -> bits == Long.parseUnsignedLong(want);
        };
    }
}
