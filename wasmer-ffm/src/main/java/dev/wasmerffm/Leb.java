package dev.wasmerffm;

import java.io.ByteArrayOutputStream;

/** Unsigned LEB128, as the wasm binary format encodes sizes and counts. */
final class Leb {

    private Leb() {
    }

    /** Reads an unsigned LEB128 (at most 64 bits) at {@code pos[0]}, advancing it. */
    static long read(byte[] bytes, int[] pos, int sectionStart) {
        long value = 0;
        int shift = 0;
        int b;
        do {
            if (pos[0] >= bytes.length || shift > 63) {
                throw new CompileException("malformed section at offset " + sectionStart);
            }
            b = bytes[pos[0]++] & 0xFF;
            value |= (long) (b & 0x7F) << shift;
            shift += 7;
        } while ((b & 0x80) != 0);
        return value;
    }

    static void write(ByteArrayOutputStream out, long value) {
        do {
            int b = (int) (value & 0x7F);
            value >>>= 7;
            out.write(value == 0 ? b : b | 0x80);
        } while (value != 0);
    }
}
