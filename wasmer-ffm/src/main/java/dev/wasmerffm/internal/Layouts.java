package dev.wasmerffm.internal;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.UnionLayout;
import java.lang.foreign.ValueLayout;

/** Struct layouts and callback descriptors of wasm.h / wasmer.h (LP64). */
public final class Layouts {

    private Layouts() {}

    /** Every {@code wasm_X_vec_t}: {@code {size_t size; T* data;}}. */
    public static final StructLayout VEC = MemoryLayout.structLayout(
                    JAVA_LONG.withName("size"), ADDRESS.withName("data"))
            .withName("wasm_vec_t");
    /** Offset of {@code size} in a vec. */
    public static final long VEC_SIZE = 0;
    /** Offset of {@code data} in a vec. */
    public static final long VEC_DATA = 8;

    /** The payload union of {@code wasm_val_t}. */
    public static final UnionLayout VAL_OF = MemoryLayout.unionLayout(
            JAVA_INT.withName("i32"),
            JAVA_LONG.withName("i64"),
            ValueLayout.JAVA_FLOAT.withName("f32"),
            ValueLayout.JAVA_DOUBLE.withName("f64"),
            ADDRESS.withName("ref"));
    /** {@code wasm_val_t}: {@code {uint8_t kind; [7 padding]; union of;}}, 16 bytes. */
    public static final StructLayout VAL = MemoryLayout.structLayout(
                    JAVA_BYTE.withName("kind"), MemoryLayout.paddingLayout(7), VAL_OF.withName("of"))
            .withName("wasm_val_t");
    /** Offset of {@code kind} in a {@code wasm_val_t}. */
    public static final long VAL_KIND = 0;
    /** Offset of the payload in a {@code wasm_val_t}. */
    public static final long VAL_PAYLOAD = 8;

    /** {@code wasm_limits_t}: {@code {uint32_t min; uint32_t max;}}; max 0xFFFFFFFF means none. */
    public static final StructLayout LIMITS = MemoryLayout.structLayout(
                    JAVA_INT.withName("min"), JAVA_INT.withName("max"))
            .withName("wasm_limits_t");
    /** {@code wasm_limits_max_default}: no maximum. */
    public static final int LIMITS_MAX_DEFAULT = 0xFFFFFFFF;

    /** {@code wasm_func_callback_t}: {@code wasm_trap_t* (*)(const wasm_val_vec_t*, wasm_val_vec_t*)}. */
    public static final FunctionDescriptor FUNC_CALLBACK = FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS);
    /** {@code wasm_func_callback_with_env_t}: {@code wasm_trap_t* (*)(void*, const wasm_val_vec_t*, wasm_val_vec_t*)}. */
    public static final FunctionDescriptor FUNC_CALLBACK_WITH_ENV =
            FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS, ADDRESS);
    /** Env and host-info finalizers: {@code void (*)(void*)}. */
    public static final FunctionDescriptor FINALIZER = FunctionDescriptor.ofVoid(ADDRESS);
    /** {@code wasmer_metering_cost_function_t}: {@code uint64_t (*)(wasmer_parser_operator_t)}. */
    public static final FunctionDescriptor METERING_COST_FUNCTION = FunctionDescriptor.of(JAVA_LONG, JAVA_INT);

    /** Reads {@code size} of a vec. */
    public static long vecSize(MemorySegment vec) {
        return vec.get(JAVA_LONG, VEC_SIZE);
    }

    /** Reads {@code data} of a vec, sized to {@code size * elementSize} bytes. */
    public static MemorySegment vecData(MemorySegment vec, long elementSize) {
        return vec.get(ADDRESS, VEC_DATA).reinterpret(vecSize(vec) * elementSize);
    }
}
