package dev.wasmerffm;

import dev.wasmerffm.raw.LibWasmer;
import java.lang.foreign.MemorySegment;
import java.util.Locale;

/** A WebAssembly proposal an engine can accept or refuse ({@code wasmer_features_*}). */
public enum Feature {
    /** Threads and atomics. */
    THREADS,
    /** Reference types (externref, funcref values, multiple tables). */
    REFERENCE_TYPES,
    /** 128-bit SIMD. */
    SIMD,
    /** Relaxed SIMD. */
    RELAXED_SIMD,
    /** Bulk memory operations. */
    BULK_MEMORY,
    /** Multiple results and block parameters. */
    MULTI_VALUE,
    /** Tail calls. */
    TAIL_CALL,
    /** Module linking. */
    MODULE_LINKING,
    /** Several memories per module. */
    MULTI_MEMORY,
    /** 64-bit memories. */
    MEMORY64,
    /** Exception handling. */
    EXCEPTIONS,
    /** Extended constant expressions. */
    EXTENDED_CONST,
    /** Wide arithmetic. */
    WIDE_ARITHMETIC;

    /** Sets this flag on a native {@code wasmer_features_t}. */
    boolean apply(MemorySegment features, boolean enable) {
        return switch (this) {
            case THREADS -> LibWasmer.wasmer_features_threads(features, enable);
            case REFERENCE_TYPES -> LibWasmer.wasmer_features_reference_types(features, enable);
            case SIMD -> LibWasmer.wasmer_features_simd(features, enable);
            case RELAXED_SIMD -> LibWasmer.wasmer_features_relaxed_simd(features, enable);
            case BULK_MEMORY -> LibWasmer.wasmer_features_bulk_memory(features, enable);
            case MULTI_VALUE -> LibWasmer.wasmer_features_multi_value(features, enable);
            case TAIL_CALL -> LibWasmer.wasmer_features_tail_call(features, enable);
            case MODULE_LINKING -> LibWasmer.wasmer_features_module_linking(features, enable);
            case MULTI_MEMORY -> LibWasmer.wasmer_features_multi_memory(features, enable);
            case MEMORY64 -> LibWasmer.wasmer_features_memory64(features, enable);
            case EXCEPTIONS -> LibWasmer.wasmer_features_exceptions(features, enable);
            case EXTENDED_CONST -> LibWasmer.wasmer_features_extended_const(features, enable);
            case WIDE_ARITHMETIC -> LibWasmer.wasmer_features_wide_arithmetic(features, enable);
        };
    }

    /** Parses a name such as {@code bulk-memory} or {@code BULK_MEMORY}. */
    public static Feature of(String name) {
        try {
            return valueOf(name.trim().replace('-', '_').toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "unknown Wasm feature '" + name + "'; known: "
                            + java.util.Arrays.toString(values()).toLowerCase(Locale.ROOT),
                    e);
        }
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
