package dev.wasmerffm;

import com.dylibso.chicory.wasm.WasmWriter;
import dev.wasmerffm.internal.wasm.Leb;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes the small modules this binding generates (v128 adapters, batch drivers): functions import first, as the
 * binary format numbers them.
 */
final class GeneratedModule {

    static final int FUNC = 0;
    static final int MEMORY = 2;
    static final int GLOBAL = 3;

    /**
     * The module {@code bytes} make, compiled once per engine and {@code key} (a signature), for instantiating in
     * {@code store}: it must run on its engine's own native engine, which a metered module's store does not.
     *
     * @throws WasmArgumentException naming {@code what} if the store runs on a metered module's native engine
     */
    static Module cached(Store store, Object key, java.util.function.Supplier<byte[]> bytes, String what) {
        Engine engine = checkEngine(store, what);
        return engine.generated.computeIfAbsent(key, k -> Module.fromBinary(engine, bytes.get()));
    }

    /** The store's engine, if a module it compiles can be instantiated in the store. */
    static Engine checkEngine(Store store, String what) {
        Engine engine = store.engine();
        if (engine.isMetered() || store.nativeEngine != engine.nativeState()) {
            throw new WasmArgumentException(what + " needs a generated module compiled by the store's native engine,"
                    + " and a metered module's engine compiles only that module (libwasmer aborts on a second"
                    + " module through one metering middleware)");
        }
        return engine;
    }

    private final List<FuncType> types = new ArrayList<>();
    private final Section imports = new Section();
    private final Section funcs = new Section();
    private final Section memories = new Section();
    private final Section globals = new Section();
    private final Section exports = new Section();
    private final Section code = new Section();
    private int funcCount;
    private int globalCount;
    private int tableCount;

    /** A section's entries and their count. */
    private static final class Section {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int count;

        ByteArrayOutputStream entry() {
            count++;
            return bytes;
        }

        byte[] content() {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            Leb.write(out, count);
            out.writeBytes(bytes.toByteArray());
            return out.toByteArray();
        }
    }

    static int code(ValType t) {
        return switch (t) {
            case I32 -> 0x7F;
            case I64 -> 0x7E;
            case F32 -> 0x7D;
            case F64 -> 0x7C;
            case V128 -> 0x7B;
            case FUNCREF -> 0x70;
            case EXTERNREF -> 0x6F;
        };
    }

    /** The index of type {@code t}, added if new. */
    int typeIndex(FuncType t) {
        int i = types.indexOf(t);
        if (i < 0) {
            types.add(t);
            i = types.size() - 1;
        }
        return i;
    }

    private static void name(ByteArrayOutputStream out, String name) {
        byte[] b = name.getBytes(StandardCharsets.UTF_8);
        Leb.write(out, b.length);
        out.writeBytes(b);
    }

    /** Imports function {@code module.name}; returns its index. */
    int importFunc(String module, String name, FuncType t) {
        ByteArrayOutputStream e = imports.entry();
        name(e, module);
        name(e, name);
        e.write(0x00);
        Leb.write(e, typeIndex(t));
        return funcCount++;
    }

    /** Imports funcref table {@code module.name} of any size; returns its index. */
    int importTable(String module, String name) {
        ByteArrayOutputStream e = imports.entry();
        name(e, module);
        name(e, name);
        e.write(0x01);
        e.write(0x70);
        e.write(0x00);
        e.write(0x00);
        return tableCount++;
    }

    /** Imports global {@code module.name}; returns its index. */
    int importGlobal(String module, String name, GlobalType t) {
        ByteArrayOutputStream e = imports.entry();
        name(e, module);
        name(e, name);
        e.write(0x03);
        e.write(code(t.content()));
        e.write(t.mutable() ? 1 : 0);
        return globalCount++;
    }

    /** Defines a global with a constant initializer ({@code init}, without its end); returns its index. */
    int global(GlobalType t, byte[] init) {
        ByteArrayOutputStream e = globals.entry();
        e.write(code(t.content()));
        e.write(t.mutable() ? 1 : 0);
        e.writeBytes(init);
        e.write(0x0B);
        return globalCount++;
    }

    /** Defines a memory of {@code pages} pages, no maximum. */
    void memory(long pages) {
        ByteArrayOutputStream e = memories.entry();
        e.write(0x00);
        Leb.write(e, pages);
    }

    /** Defines a function of type {@code t} with extra {@code locals} and {@code body} (without its end). */
    int func(FuncType t, List<ValType> locals, Body body) {
        Leb.write(funcs.entry(), typeIndex(t));
        ByteArrayOutputStream f = new ByteArrayOutputStream();
        Leb.write(f, locals.size());
        for (ValType l : locals) {
            Leb.write(f, 1);
            f.write(code(l));
        }
        f.writeBytes(body.out.toByteArray());
        f.write(0x0B);
        ByteArrayOutputStream e = code.entry();
        Leb.write(e, f.size());
        e.writeBytes(f.toByteArray());
        return funcCount++;
    }

    void export(String name, int kind, int index) {
        ByteArrayOutputStream e = exports.entry();
        name(e, name);
        e.write(kind);
        Leb.write(e, index);
    }

    byte[] bytes() {
        Section typeSection = new Section();
        for (FuncType t : types) {
            ByteArrayOutputStream e = typeSection.entry();
            e.write(0x60);
            Leb.write(e, t.params().size());
            t.params().forEach(p -> e.write(code(p)));
            Leb.write(e, t.results().size());
            t.results().forEach(r -> e.write(code(r)));
        }
        WasmWriter out = new WasmWriter();
        int[] ids = {1, 2, 3, 5, 6, 7, 10};
        Section[] sections = {typeSection, imports, funcs, memories, globals, exports, code};
        for (int i = 0; i < ids.length; i++) {
            if (sections[i].count > 0) {
                out.writeSection(ids[i], sections[i].content());
            }
        }
        return out.bytes();
    }

    /** A function body's instructions. */
    static final class Body {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Body op(int opcode) {
            out.write(opcode);
            return this;
        }

        Body op(int opcode, long immediate) {
            out.write(opcode);
            Leb.write(out, immediate);
            return this;
        }

        /** A SIMD ({@code 0xFD}-prefixed) instruction. */
        Body simd(int opcode) {
            return op(0xFD, opcode);
        }

        Body localGet(int i) {
            return op(0x20, i);
        }

        Body localSet(int i) {
            return op(0x21, i);
        }

        /** An i32 or i64 constant (signed LEB128). */
        Body constant(int opcode, long value) {
            out.write(opcode);
            boolean more = true;
            while (more) {
                int b = (int) (value & 0x7F);
                value >>= 7;
                more = !(value == 0 && (b & 0x40) == 0 || value == -1 && (b & 0x40) != 0);
                out.write(more ? b | 0x80 : b);
            }
            return this;
        }

        /** {@code lo, hi} (i64 locals) joined to a v128 on the stack. */
        Body joinV128(int lo, int hi) {
            localGet(lo).simd(0x12); // i64x2.splat
            localGet(hi).simd(0x1E); // i64x2.replace_lane
            return op(1);
        }

        /** The v128 in local {@code v} as two i64s on the stack, low lane first. */
        Body splitV128(int v) {
            localGet(v).simd(0x1D).op(0); // i64x2.extract_lane 0
            return localGet(v).simd(0x1D).op(1);
        }
    }
}
