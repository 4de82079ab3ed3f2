package dev.wasmerffm;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import dev.wasmerffm.internal.Layouts;
import dev.wasmerffm.raw.LibWasm;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/** Type objects to and from their native forms. Native values made here are owned by the caller. */
final class Types {

    private Types() {}

    static MemorySegment valType(ValType t) {
        if (t == ValType.V128) {
            throw new WasmArgumentException("v128 has no Wasmer C API value type");
        }
        return LibWasm.wasm_valtype_new(t.kind());
    }

    /** A new {@code wasm_functype_t*}; its vecs are allocated by libwasmer, which takes them. */
    static MemorySegment toNative(FuncType type) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment params = valTypeVec(arena, type.params());
            MemorySegment results = valTypeVec(arena, type.results());
            return LibWasm.wasm_functype_new(params, results);
        }
    }

    private static MemorySegment valTypeVec(Arena arena, List<ValType> types) {
        MemorySegment elems = arena.allocate(ADDRESS, Math.max(1, types.size()));
        for (int i = 0; i < types.size(); i++) {
            elems.setAtIndex(ADDRESS, i, valType(types.get(i)));
        }
        MemorySegment vec = arena.allocate(Layouts.VEC);
        LibWasm.wasm_valtype_vec_new(vec, types.size(), elems); // moves the valtypes into a libwasmer vec
        return vec;
    }

    static FuncType funcType(MemorySegment functype) {
        return new FuncType(
                valTypes(LibWasm.wasm_functype_params(functype)), valTypes(LibWasm.wasm_functype_results(functype)));
    }

    private static List<ValType> valTypes(MemorySegment vec) {
        vec = vec.reinterpret(Layouts.VEC.byteSize());
        long n = Layouts.vecSize(vec);
        List<ValType> out = new ArrayList<>();
        if (n > 0) {
            MemorySegment data = Layouts.vecData(vec, ADDRESS.byteSize());
            for (long i = 0; i < n; i++) {
                out.add(ValType.ofKind(LibWasm.wasm_valtype_kind(data.getAtIndex(ADDRESS, i))));
            }
        }
        return out;
    }

    static MemorySegment limits(Arena arena, Limits l) {
        MemorySegment s = arena.allocate(Layouts.LIMITS);
        s.set(JAVA_INT, 0, (int) l.min());
        s.set(JAVA_INT, 4, (int) l.max());
        return s;
    }

    static Limits limits(MemorySegment limits) {
        limits = limits.reinterpret(Layouts.LIMITS.byteSize());
        return new Limits(
                Integer.toUnsignedLong(limits.get(JAVA_INT, 0)), Integer.toUnsignedLong(limits.get(JAVA_INT, 4)));
    }

    static MemoryType memoryType(MemorySegment memorytype) {
        return new MemoryType(limits(LibWasm.wasm_memorytype_limits(memorytype)));
    }

    static TableType tableType(MemorySegment tabletype) {
        return new TableType(
                ValType.ofKind(LibWasm.wasm_valtype_kind(LibWasm.wasm_tabletype_element(tabletype))),
                limits(LibWasm.wasm_tabletype_limits(tabletype)));
    }

    static GlobalType globalType(MemorySegment globaltype) {
        return new GlobalType(
                ValType.ofKind(LibWasm.wasm_valtype_kind(LibWasm.wasm_globaltype_content(globaltype))),
                LibWasm.wasm_globaltype_mutability(globaltype) == 1);
    }
}
