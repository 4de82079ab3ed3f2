package dev.wasmerffm.internal.wasm;

import java.io.ByteArrayOutputStream;

/** Writes unsigned LEB128 up to 64 bits (Chicory's {@code WasmWriter} writes 32-bit ones only). */
public final class Leb {

    private Leb() {}

    public static void write(ByteArrayOutputStream out, long value) {
        do {
            int b = (int) (value & 0x7F);
            value >>>= 7;
            out.write(value == 0 ? b : b | 0x80);
        } while (value != 0);
    }
}
