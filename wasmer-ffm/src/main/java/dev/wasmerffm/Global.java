package dev.wasmerffm;

import dev.wasmerffm.internal.Layouts;
import dev.wasmerffm.internal.store.LastError;
import dev.wasmerffm.internal.store.Lifetime;
import dev.wasmerffm.internal.store.NativeResource;
import dev.wasmerffm.raw.LibWasm;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * A global variable. Its declared type is known to Java, so wrong types and writes to immutable globals are
 * refused here: libwasmer would accept both silently.
 */
public final class Global extends Extern {

    private final GlobalType type;
    private final String name;
    /** The adapter instance reading and writing this v128 global, made on first use (see {@link V128Adapters}). */
    private volatile Instance v128Access;

    /** An instance's export. */
    Global(Store store, MemorySegment global, Lifetime owner, String name, GlobalType type) {
        super(store, global, owner);
        this.type = type;
        this.name = name;
    }

    private Global(Store store, MemorySegment global, GlobalType type) {
        super(store, NativeResource.Kind.GLOBAL, global);
        this.type = type;
        this.name = "global";
    }

    /** A new global in a store with an initial value, to pass as an import. */
    public static Global create(Store store, GlobalType type, Object value) {
        Vals.check(type.content(), value, store, "initial value of " + type);
        if (value instanceof V128 v) {
            return V128Adapters.create(store, type, v);
        }
        MemorySegment s = store.enter();
        List<MemorySegment> temps = new ArrayList<>(0);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment val = arena.allocate(Layouts.VAL);
            Vals.write(val, 0, type.content(), value, store, temps);
            MemorySegment vt = Types.valType(type.content());
            MemorySegment gt = LibWasm.wasm_globaltype_new(vt, type.mutable() ? 1 : 0); // takes vt
            try {
                MemorySegment g = LibWasm.wasm_global_new(s, gt, val);
                if (g.equals(MemorySegment.NULL)) {
                    throw new WasmerException("cannot create global " + type + ": " + LastError.take("unknown"));
                }
                return new Global(store, g, type);
            } finally {
                LibWasm.wasm_globaltype_delete(gt);
            }
        } finally {
            temps.forEach(LibWasm::wasm_ref_delete);
            store.exit();
        }
    }

    @Override
    MemorySegment asExtern() {
        return LibWasm.wasm_global_as_extern(pointer());
    }

    @Override
    public ExternKind kind() {
        return ExternKind.GLOBAL;
    }

    /** Its declared type. */
    @Override
    public GlobalType type() {
        return type;
    }

    /** The type as libwasmer reports it ({@code wasm_global_type}); refused for v128 globals, where it aborts. */
    GlobalType nativeType() {
        checkNotV128();
        return locked(g -> {
            MemorySegment t = LibWasm.wasm_global_type(g);
            try {
                return Types.globalType(t);
            } finally {
                LibWasm.wasm_globaltype_delete(t);
            }
        });
    }

    private void checkNotV128() {
        if (type.content() == ValType.V128) {
            throw new WasmArgumentException("global " + name + " is v128, which cannot cross the Wasmer C API");
        }
    }

    /** The current value, boxed (Integer, Long, Float, Double, {@link V128}, Func, host object or null). */
    public Object get() {
        if (type.content() == ValType.V128) {
            return V128Adapters.get(this);
        }
        return locked(g -> {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment val = arena.allocate(Layouts.VAL); // zeroed: wasm_global_get drops what was there
                LibWasm.wasm_global_get(g, val);
                return Vals.read(val, 0, type.content(), store, true);
            }
        });
    }

    /** Sets the value; {@link WasmArgumentException} if the global is immutable or the value has the wrong type. */
    public void set(Object value) {
        if (!type.mutable()) {
            throw new WasmArgumentException("global " + name + " is immutable");
        }
        if (!Vals.fits(type.content(), value, store)) {
            throw Vals.rejected(type.content(), value, "value of global " + name);
        }
        if (value instanceof V128 v) {
            V128Adapters.set(this, v);
            return;
        }
        locked(g -> {
            List<MemorySegment> temps = new ArrayList<>(0);
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment val = arena.allocate(Layouts.VAL);
                Vals.write(val, 0, type.content(), value, store, temps);
                LibWasm.wasm_global_set(g, val);
                return null;
            } finally {
                temps.forEach(LibWasm::wasm_ref_delete);
            }
        });
    }

    /** This v128 global's adapter instance, made by {@code make} under the store's lock on first use. */
    Instance v128Access(java.util.function.Supplier<Instance> make) {
        return V128Adapters.once(store, () -> v128Access, a -> v128Access = a, make);
    }

    /** Whether both are the same global ({@code wasm_global_same}). */
    public boolean same(Global other) {
        return locked(g -> LibWasm.wasm_global_same(g, other.pointer()));
    }

    @Override
    public String toString() {
        return "Global[" + name + ": " + type + "]";
    }
}
