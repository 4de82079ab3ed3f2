package dev.wasmerffm;

import static java.lang.foreign.ValueLayout.ADDRESS;

import dev.wasmerffm.raw.Layouts;
import dev.wasmerffm.raw.LibWasm;
import dev.wasmerffm.raw.Native;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Native traps to exceptions, and host exceptions to native traps. Caller holds the store lock. */
final class Traps {

    /** What a host function threw, handed from the upcall to the Java frame that called into wasm on this thread. */
    private static final ThreadLocal<Throwable> PENDING = new ThreadLocal<>();
    /** Used when even the message cannot be allocated (e.g. on OutOfMemoryError). */
    private static final MemorySegment FALLBACK_MESSAGE = Bytes.borrowed(Arena.global(), "host function failed");

    private Traps() {
    }

    /** Turns what a host function threw into a trap for libwasmer to unwind with; never throws. */
    static MemorySegment hostTrap(MemorySegment store, Throwable e) {
        try {
            PENDING.set(e);
        } catch (Throwable ignored) {
            // keep going: the trap alone still stops the wasm code
        }
        try (Arena arena = Arena.ofConfined()) {
            String text = String.valueOf(e).replace('\0', ' ');
            if (text.length() > 2000) {
                text = text.substring(0, 2000) + "...";
            }
            return LibWasm.wasm_trap_new(store, Bytes.borrowed(arena, text));
        } catch (Throwable again) {
            return LibWasm.wasm_trap_new(store, FALLBACK_MESSAGE);
        }
    }

    /** Reads and frees an owned trap. */
    static TrapException toException(MemorySegment trap, Func func, boolean pointsExhausted) {
        Throwable cause = PENDING.get();
        PENDING.remove();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = Bytes.out(arena);
            LibWasm.wasm_trap_message(trap, out);
            String message = new String(Bytes.take(out), StandardCharsets.UTF_8);
            if (message.endsWith("\0")) {
                message = message.substring(0, message.length() - 1);
            }
            MemorySegment trace = arena.allocate(Layouts.VEC);
            LibWasm.wasm_trap_trace(trap, trace);
            List<TrapFrame> frames = new ArrayList<>();
            long n = Layouts.vecSize(trace);
            if (n > 0) {
                MemorySegment data = Layouts.vecData(trace, ADDRESS.byteSize());
                for (long i = 0; i < n; i++) {
                    frames.add(frame(arena, data.getAtIndex(ADDRESS, i)));
                }
            }
            LibWasm.wasm_frame_vec_delete(trace);
            String where = func == null ? "instantiation" : func.toString();
            if (pointsExhausted && cause == null) {
                return new MeteringExhaustedException(where, message, frames);
            }
            TrapKind kind = cause != null ? TrapKind.HOST : TrapKind.of(message);
            return new TrapException(kind, where, message, frames, cause);
        } finally {
            LibWasm.wasm_trap_delete(trap);
        }
    }

    private static TrapFrame frame(Arena arena, MemorySegment f) {
        return new TrapFrame(LibWasm.wasm_frame_func_index(f), LibWasm.wasm_frame_func_offset(f),
                LibWasm.wasm_frame_module_offset(f), name(arena, LibWasm.wasm_frame_func_name(f)),
                name(arena, LibWasm.wasm_frame_module_name(f)));
    }

    /** Reads and frees an owned C string from the frame name helpers. */
    private static String name(Arena arena, MemorySegment cString) {
        if (cString.equals(MemorySegment.NULL)) {
            return null;
        }
        String s = Native.cString(cString);
        MemorySegment holder = arena.allocate(ADDRESS);
        holder.set(ADDRESS, 0, cString);
        LibWasm.wasm_name_delete(holder);
        return s;
    }
}
