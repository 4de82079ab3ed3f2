package dev.wasmerffm;

import dev.wasmerffm.raw.LibWasm.wasm_valkind_enum;

/** A WebAssembly value type. */
public enum ValType {
    /** 32-bit integer, carried as {@code int}. */
    I32(wasm_valkind_enum.WASM_I32),
    /** 64-bit integer, carried as {@code long}. */
    I64(wasm_valkind_enum.WASM_I64),
    /** 32-bit float, carried as {@code float} (NaN payloads preserved). */
    F32(wasm_valkind_enum.WASM_F32),
    /** 64-bit float, carried as {@code double} (NaN payloads preserved). */
    F64(wasm_valkind_enum.WASM_F64),
    /** 128-bit vector, carried as a {@link V128}; the C API has no kind for it, so adapter modules carry it. */
    V128(-1),
    /** Host reference, carried as any Java object or {@code null}. */
    EXTERNREF(wasm_valkind_enum.WASM_EXTERNREF),
    /** Function reference, carried as a {@link Func} or {@code null}. */
    FUNCREF(wasm_valkind_enum.WASM_FUNCREF);

    private final int kind;

    ValType(int kind) {
        this.kind = kind;
    }

    /** The {@code wasm_valkind_t} code; -1 for {@link #V128}, which has none. */
    public int kind() {
        return kind;
    }

    /** Whether this is a reference type. */
    public boolean isReference() {
        return this == EXTERNREF || this == FUNCREF;
    }

    /** Maps a {@code wasm_valkind_t} code back to its type. */
    public static ValType ofKind(int kind) {
        return switch (kind) {
            case 0 -> I32;
            case 1 -> I64;
            case 2 -> F32;
            case 3 -> F64;
            case 128 -> EXTERNREF;
            case 129 -> FUNCREF;
            default -> throw new WasmerException("unknown wasm_valkind_t " + kind);
        };
    }

    @Override
    public String toString() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
