package dev.wasmerffm;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.wasmerffm.internal.Layouts;
import dev.wasmerffm.raw.LibWasm;
import java.lang.foreign.MemorySegment;
import java.util.List;

/** Java values to and from {@code wasm_val_t}. Caller holds the store lock. */
final class Vals {

    static final long SIZE = Layouts.VAL.byteSize();
    /**
     * All of native memory, for reading and writing libwasmer's value vectors in upcalls by absolute address without
     * making a segment per access. Only ever indexed with addresses libwasmer handed us and offsets checked against
     * the signature.
     */
    static final MemorySegment NATIVE = MemorySegment.NULL.reinterpret(Long.MAX_VALUE);

    private static final long P = Layouts.VAL_PAYLOAD;

    private Vals() {}

    /** Checks a Java value fits a wasm type; {@code where} names the function and position for the message. */
    static void check(ValType t, Object v, Store store, String where) {
        if (!fits(t, v, store)) {
            throw rejected(t, v, where);
        }
    }

    /**
     * Whether a Java value fits a wasm type. Per-call paths test this and build {@link #rejected}'s message only on
     * failure: a {@code where} string made for every argument was most of a boxed call's allocation.
     */
    static boolean fits(ValType t, Object v, Store store) {
        return switch (t) {
            case I32 -> v instanceof Integer;
            case I64 -> v instanceof Long;
            case F32 -> v instanceof Float;
            case F64 -> v instanceof Double;
            case FUNCREF -> v == null || v instanceof Func f && f.store == store && !f.isHost();
            case EXTERNREF -> true;
            case V128 -> v instanceof V128;
        };
    }

    /** Why {@code v} does not fit {@code t}, for a value {@link #fits} refused. */
    static WasmArgumentException rejected(ValType t, Object v, String where) {
        String why = v instanceof Func f && f.isHost()
                ? "a host function cannot be passed as a funcref (libwasmer" + " aborts when one reaches a table)"
                : v instanceof Func
                        ? "the Func belongs to another store"
                        : "expected " + t + " (" + javaType(t) + "), got "
                                + (v == null ? "null" : v.getClass().getSimpleName() + " " + v);
        return new WasmArgumentException(where + ": " + why);
    }

    static String javaType(ValType t) {
        return switch (t) {
            case I32 -> "Integer";
            case I64 -> "Long";
            case F32 -> "Float";
            case F64 -> "Double";
            case FUNCREF -> "Func or null";
            case EXTERNREF -> "any object or null";
            case V128 -> "V128";
        };
    }

    /**
     * Writes a checked value. Funcref refs made here are added to {@code temps}, to be deleted by the caller once
     * libwasmer has used them (it only borrows them); {@code temps == null} means libwasmer takes the ref (host
     * results), so an externref is passed as a copy of the store's own.
     */
    static void write(MemorySegment val, long offset, ValType t, Object v, Store store, List<MemorySegment> temps) {
        val.set(JAVA_BYTE, offset, (byte) t.kind());
        switch (t) {
            case I32 -> val.set(JAVA_INT, offset + P, (Integer) v);
            case I64 -> val.set(JAVA_LONG, offset + P, (Long) v);
            case F32 -> val.set(JAVA_FLOAT, offset + P, (Float) v);
            case F64 -> val.set(JAVA_DOUBLE, offset + P, (Double) v);
            case FUNCREF, EXTERNREF -> {
                MemorySegment ref = ref(t, v, store);
                if (temps == null && t == ValType.EXTERNREF && !ref.equals(MemorySegment.NULL)) {
                    ref = LibWasm.wasm_ref_copy(ref);
                } else if (temps != null && t == ValType.FUNCREF && !ref.equals(MemorySegment.NULL)) {
                    temps.add(ref);
                }
                val.set(ADDRESS, offset + P, ref);
            }
            case V128 -> throw new IllegalStateException("v128");
        }
    }

    /**
     * A {@code wasm_ref_t*} for a funcref or externref value; NULL for null. A funcref's is new and owned (free it
     * with {@link #deleteOwned}); an externref's is the store's, made once per object and freed with the store.
     */
    static MemorySegment ref(ValType t, Object v, Store store) {
        if (v == null) {
            return MemorySegment.NULL;
        }
        return t == ValType.FUNCREF ? LibWasm.wasm_func_as_ref(((Func) v).pointer()) : store.externRef(v);
    }

    /** Deletes a ref from {@link #ref} if it is an owned one. */
    static void deleteOwned(ValType t, MemorySegment ref) {
        if (t == ValType.FUNCREF && !ref.equals(MemorySegment.NULL)) {
            LibWasm.wasm_ref_delete(ref);
        }
    }

    /**
     * Reads a value. {@code ownedRefs}: the ref in it belongs to us (call results) and is deleted after reading;
     * otherwise libwasmer owns it (host function arguments).
     */
    static Object read(MemorySegment val, long offset, ValType t, Store store, boolean ownedRefs) {
        return switch (t) {
            case I32 -> val.get(JAVA_INT, offset + P);
            case I64 -> val.get(JAVA_LONG, offset + P);
            case F32 -> val.get(JAVA_FLOAT, offset + P);
            case F64 -> val.get(JAVA_DOUBLE, offset + P);
            case FUNCREF, EXTERNREF -> readRef(val.get(ADDRESS, offset + P), t, store, ownedRefs);
            case V128 -> throw new IllegalStateException("v128");
        };
    }

    static Object readRef(MemorySegment ref, ValType t, Store store, boolean owned) {
        if (ref.equals(MemorySegment.NULL)) {
            return null;
        }
        try {
            return t == ValType.FUNCREF ? Func.fromRef(store, ref) : store.hostObject(ref);
        } finally {
            if (owned) {
                LibWasm.wasm_ref_delete(ref);
            }
        }
    }
}
