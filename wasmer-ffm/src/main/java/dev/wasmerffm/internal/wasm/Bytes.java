package dev.wasmerffm.internal.wasm;

import dev.wasmerffm.internal.Layouts;
import dev.wasmerffm.raw.LibWasm;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;

/** {@code wasm_byte_vec_t} in and out. */
public final class Bytes {

    private Bytes() {}

    /** A vec over a copy of {@code bytes} in {@code arena}: only for inputs libwasmer borrows, never frees. */
    public static MemorySegment borrowed(Arena arena, byte[] bytes) {
        return borrowed(arena, bytes, 0, bytes.length);
    }

    /** {@link #borrowed(Arena, byte[])} of {@code length} bytes from {@code offset}. */
    public static MemorySegment borrowed(Arena arena, byte[] bytes, int offset, int length) {
        MemorySegment vec = arena.allocate(Layouts.VEC);
        MemorySegment data = arena.allocate(Math.max(1, length));
        MemorySegment.copy(bytes, offset, data, ValueLayout.JAVA_BYTE, 0, length);
        vec.set(ValueLayout.JAVA_LONG, Layouts.VEC_SIZE, length);
        vec.set(ValueLayout.ADDRESS, Layouts.VEC_DATA, data);
        return vec;
    }

    public static MemorySegment borrowed(Arena arena, String s) {
        return borrowed(arena, s.getBytes(StandardCharsets.UTF_8));
    }

    /** An empty out-vec for libwasmer to fill. */
    public static MemorySegment out(Arena arena) {
        return arena.allocate(Layouts.VEC);
    }

    /** Copies a vec libwasmer filled, then frees it with {@code wasm_byte_vec_delete}. */
    public static byte[] take(MemorySegment vec) {
        byte[] bytes = peek(vec);
        LibWasm.wasm_byte_vec_delete(vec);
        return bytes;
    }

    /** Copies a vec that libwasmer keeps owning. */
    public static byte[] peek(MemorySegment vec) {
        vec = vec.reinterpret(Layouts.VEC.byteSize());
        long size = Layouts.vecSize(vec);
        if (size == 0) {
            return new byte[0];
        }
        return Layouts.vecData(vec, 1).toArray(ValueLayout.JAVA_BYTE);
    }

    /** A name vec as a string; libwasmer keeps owning it. */
    public static String string(MemorySegment nameVec) {
        return new String(peek(nameVec), StandardCharsets.UTF_8);
    }
}
