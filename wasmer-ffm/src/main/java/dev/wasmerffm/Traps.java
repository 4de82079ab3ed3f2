package dev.wasmerffm;

import static java.lang.foreign.ValueLayout.ADDRESS;

import dev.wasmerffm.internal.Layouts;
import dev.wasmerffm.internal.Native;
import dev.wasmerffm.internal.wasm.Bytes;
import dev.wasmerffm.raw.LibWasm;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Native traps to exceptions, and host exceptions to native traps. Caller holds the store lock. */
final class Traps {

    private static final MemorySegment RESERVE_MESSAGE = Bytes.borrowed(Arena.global(), "host function failed");
    /** Stands for a store in {@code wasm_trap_new}, which ignores its store argument (it must just not be NULL). */
    private static final MemorySegment ANY_STORE = Arena.global().allocate(8);

    private Traps() {}

    /** A trap kept ready for a failing host function of {@code store}; its message is replaced by the cause's. */
    static long newReserve(MemorySegment store) {
        return LibWasm.wasm_trap_new(store, RESERVE_MESSAGE).address();
    }

    /** A trap for a failing host function when its store had no reserve left (nested failures); never throws. */
    static long fallbackTrap(long env) {
        try {
            Upcalls.Binding b = Upcalls.BINDINGS.get(env);
            return LibWasm.wasm_trap_new(
                            b == null ? ANY_STORE : MemorySegment.ofAddress(b.storeAddress()), RESERVE_MESSAGE)
                    .address();
        } catch (Throwable e) {
            return 0; // libwasmer could not allocate a trap: the call goes on with zero results, the JVM lives
        }
    }

    /** Reads and frees an owned trap. */
    static TrapException toException(MemorySegment trap, Func func, Throwable cause, boolean pointsExhausted) {
        return toException(trap, func, cause, pointsExhausted, 0);
    }

    /**
     * Reads and frees the trap of a call whose deadline passed: whatever libwasmer reports (the metering trap,
     * {@code unreachable}, since the points setter clears the exhausted flag, or the host function's
     * interruption), the deadline stopped it.
     */
    static TrapException toDeadlineException(MemorySegment trap, Func func, Throwable cause, long timeoutNanos) {
        return toException(trap, func, cause, false, timeoutNanos);
    }

    private static TrapException toException(
            MemorySegment trap, Func func, Throwable cause, boolean pointsExhausted, long deadlineNanos) {
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
            if (deadlineNanos > 0) {
                return new DeadlineExceededException(where, Duration.ofNanos(deadlineNanos), frames, cause);
            }
            if (pointsExhausted && cause == null) {
                return new MeteringExhaustedException(where, message, frames);
            }
            if (cause != null) {
                message = describe(cause); // the reserve trap's own message says nothing
            }
            TrapKind kind = cause != null ? TrapKind.HOST : TrapKind.of(message);
            return new TrapException(kind, where, message, frames, cause);
        } finally {
            LibWasm.wasm_trap_delete(trap);
        }
    }

    /** The cause's {@code toString()}, which is user code: if it throws, its class name instead. */
    private static String describe(Throwable cause) {
        try {
            return String.valueOf(cause);
        } catch (Throwable e) { // a sneaky-thrown checked exception too
            return cause.getClass().getName() + " (its toString() threw "
                    + e.getClass().getName() + ")";
        }
    }

    private static TrapFrame frame(Arena arena, MemorySegment f) {
        return new TrapFrame(
                LibWasm.wasm_frame_func_index(f),
                LibWasm.wasm_frame_func_offset(f),
                LibWasm.wasm_frame_module_offset(f),
                name(arena, LibWasm.wasm_frame_func_name(f)),
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
