package dev.wasmerffm;

import dev.wasmerffm.internal.store.LastError;
import dev.wasmerffm.internal.store.Lifetime;
import dev.wasmerffm.internal.store.NativeResource;
import dev.wasmerffm.raw.LibWasm;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** A table of references (funcref or externref). Indices are checked in Java before libwasmer sees them. */
public final class Table extends Extern {

    private final ValType element;
    /** Adapters calling elements as functions of a given type, by type (see {@link #call}). */
    final Map<FuncType, Func> indirectCalls = new ConcurrentHashMap<>();

    /** An instance's export. */
    Table(Store store, MemorySegment table, Lifetime owner, ValType element) {
        super(store, table, owner);
        this.element = element;
    }

    private Table(Store store, MemorySegment table, ValType element) {
        super(store, NativeResource.Kind.TABLE, table);
        this.element = element;
    }

    /** A new table in a store, every element set to {@code init}, to pass as an import. */
    public static Table create(Store store, TableType type, Object init) {
        Vals.check(type.element(), init, store, "initial element of " + type);
        MemorySegment s = store.enter();
        MemorySegment ref = MemorySegment.NULL;
        try (Arena arena = Arena.ofConfined()) {
            ref = Vals.ref(type.element(), init, store);
            MemorySegment tt =
                    LibWasm.wasm_tabletype_new(Types.valType(type.element()), Types.limits(arena, type.limits()));
            try {
                MemorySegment t = LibWasm.wasm_table_new(s, tt, ref);
                if (t.equals(MemorySegment.NULL)) {
                    throw new WasmerException("cannot create table " + type + ": " + LastError.take("unknown"));
                }
                return new Table(store, t, type.element());
            } finally {
                LibWasm.wasm_tabletype_delete(tt);
            }
        } finally {
            Vals.deleteOwned(type.element(), ref);
            store.exit();
        }
    }

    @Override
    MemorySegment asExtern() {
        return LibWasm.wasm_table_as_extern(pointer());
    }

    @Override
    public ExternKind kind() {
        return ExternKind.TABLE;
    }

    /** Its current type ({@code wasm_table_type}): the minimum is the current size. */
    @Override
    public TableType type() {
        return locked(t -> {
            MemorySegment tt = LibWasm.wasm_table_type(t);
            try {
                return Types.tableType(tt);
            } finally {
                LibWasm.wasm_tabletype_delete(tt);
            }
        });
    }

    /** Current number of elements. */
    public long size() {
        return locked(t -> Integer.toUnsignedLong(LibWasm.wasm_table_size(t)));
    }

    private void checkIndex(MemorySegment t, long index) {
        long size = Integer.toUnsignedLong(LibWasm.wasm_table_size(t));
        if (index < 0 || index >= size) {
            throw new IndexOutOfBoundsException("table index " + index + " out of bounds for size " + size);
        }
    }

    /** Element {@code index}: a {@link Func}, a host object, or null. */
    public Object get(long index) {
        return locked(t -> {
            checkIndex(t, index);
            return Vals.readRef(LibWasm.wasm_table_get(t, (int) index), element, store, true);
        });
    }

    /** Sets element {@code index}. */
    public void set(long index, Object value) {
        if (!Vals.fits(element, value, store)) {
            throw Vals.rejected(element, value, "table element " + index);
        }
        locked(t -> {
            checkIndex(t, index);
            MemorySegment ref = Vals.ref(element, value, store);
            try {
                if (!LibWasm.wasm_table_set(t, (int) index, ref)) {
                    throw new WasmerException("cannot set table element " + index + ": " + LastError.take("refused"));
                }
                return null;
            } finally {
                Vals.deleteOwned(element, ref);
            }
        });
    }

    /**
     * Grows by {@code delta} elements set to {@code init}.
     *
     * @return false if that would pass the maximum (nothing changes)
     */
    public boolean grow(long delta, Object init) {
        if (delta < 0 || delta > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("delta out of range: " + delta);
        }
        Vals.check(element, init, store, "table grow value");
        return locked(t -> {
            MemorySegment ref = Vals.ref(element, init, store);
            try {
                boolean grown = LibWasm.wasm_table_grow(t, (int) delta, ref);
                if (!grown) {
                    LastError.take(null);
                }
                return grown;
            } finally {
                Vals.deleteOwned(element, ref);
            }
        });
    }

    /**
     * Calls element {@code index} as a function of {@code type} ({@link Func#call} values, {@link V128} included),
     * through a generated module's {@code call_indirect}: this works where a funcref's own type cannot be asked
     * (a store holding v128 code), and a wrong type or a null element is a {@link TrapException}.
     *
     * @throws WasmArgumentException if the table holds externrefs, or an argument does not fit {@code type}
     */
    public Object[] call(long index, FuncType type, Object... args) {
        if (element != ValType.FUNCREF) {
            throw new WasmArgumentException(this + " holds " + element + ", not functions");
        }
        return V128Adapters.callIndirect(this, index, type, args);
    }

    @Override
    public String toString() {
        return "Table[" + element + "]";
    }
}
