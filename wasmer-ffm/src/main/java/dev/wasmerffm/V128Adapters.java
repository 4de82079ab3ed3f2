package dev.wasmerffm;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * v128 values across the C API, which cannot carry them: a generated adapter module, compiled once per engine and
 * signature, imports the v128 function (or global) and exports a version with each v128 as two i64 lanes (joined
 * with {@code i64x2.splat}/{@code replace_lane}, split with {@code extract_lane}). It is instantiated lazily in the
 * function's store, once per function or global, so no libwasmer call ever sees a v128 type or value.
 */
final class V128Adapters {

    private V128Adapters() {}

    /**
     * A value made once under the store's lock (an adapter or driver instance): {@code read}/{@code write} are the
     * owner's volatile field.
     */
    static <T> T once(Store store, Supplier<T> read, Consumer<T> write, Supplier<T> make) {
        T a = read.get();
        if (a == null) {
            store.enter();
            try {
                a = read.get();
                if (a == null) {
                    a = make.get();
                    write.accept(a);
                }
            } finally {
                store.exit();
            }
        }
        return a;
    }

    /** {@code t} with every v128 as two i64s. */
    static FuncType lowered(FuncType t) {
        return new FuncType(lower(t.params()), lower(t.results()));
    }

    private static List<ValType> lower(List<ValType> types) {
        List<ValType> out = new ArrayList<>(types.size() + 1);
        for (ValType v : types) {
            if (v == ValType.V128) {
                out.add(ValType.I64);
                out.add(ValType.I64);
            } else {
                out.add(v);
            }
        }
        return out;
    }

    /**
     * The adapter exporting {@code call}: {@code lowered(t)} calling the imported {@code t}, or with
     * {@code indirect}, {@code (i32 index, lowered(t) params)} calling element {@code index} of the imported table
     * as {@code t} ({@code call_indirect}: a wrong type or a null element traps, never reaching libwasmer).
     */
    static byte[] callAdapter(FuncType t, boolean indirect) {
        GeneratedModule m = new GeneratedModule();
        int f = indirect ? m.importTable("t", "t") : m.importFunc("f", "f", t);
        FuncType low = lowered(t);
        if (indirect) {
            List<ValType> params = new ArrayList<>(low.params());
            params.addFirst(ValType.I32);
            low = new FuncType(params, low.results());
        }
        GeneratedModule.Body b = new GeneratedModule.Body();
        int local = indirect ? 1 : 0;
        for (ValType p : t.params()) {
            if (p == ValType.V128) {
                b.joinV128(local, local + 1);
                local += 2;
            } else {
                b.localGet(local++);
            }
        }
        if (indirect) {
            b.localGet(0).op(0x11, m.typeIndex(t)).op(f);
        } else {
            b.op(0x10, f);
        }
        int first = low.params().size(); // results are kept in locals after the parameters
        for (int i = t.results().size() - 1; i >= 0; i--) {
            b.localSet(first + i);
        }
        for (int i = 0; i < t.results().size(); i++) {
            if (t.results().get(i) == ValType.V128) {
                b.splitV128(first + i);
            } else {
                b.localGet(first + i);
            }
        }
        m.export("call", GeneratedModule.FUNC, m.func(low, t.results(), b));
        return m.bytes();
    }

    /** Calls {@code f} (whose type {@code t} has v128) through its adapter; arguments are checked first. */
    static Object[] call(Func f, FuncType t, long timeoutNanos, Object[] args) {
        List<Object> low = lower(t, args, f.store, f);
        Func adapter = f.v128Adapter(() -> {
            Module m = GeneratedModule.cached(f.store, t, () -> callAdapter(t, false), "calling " + f + " " + t);
            return Instance.adapter(f.store, m, f).func("call");
        });
        return raise(t, adapter.call(timeoutNanos, low.toArray()));
    }

    /** Calls element {@code index} of {@code table} as a function of type {@code t}, through an indirect adapter. */
    static Object[] callIndirect(Table table, long index, FuncType t, Object[] args) {
        if (index < 0 || index > 0xFFFF_FFFFL) {
            throw new IndexOutOfBoundsException("table index " + index);
        }
        List<Object> low = lower(t, args, table.store, "element " + index + " of " + table);
        low.addFirst((int) index);
        Func adapter;
        table.store.enter(); // before the map's lock, as every other path takes them
        try {
            adapter = table.indirectCalls.computeIfAbsent(t, k -> {
                Module m = GeneratedModule.cached(
                        table.store, List.of("indirect", t), () -> callAdapter(t, true), "calling through " + table);
                return Instance.create(table.store, m, table).func("call");
            });
        } finally {
            table.store.exit();
        }
        return raise(t, adapter.call(low.toArray()));
    }

    /** Checked arguments of {@code t}, each v128 as its two i64 lanes; {@code what} is named only on a failure. */
    private static List<Object> lower(FuncType t, Object[] args, Store store, Object what) {
        List<ValType> params = t.params();
        if (args.length != params.size()) {
            throw new WasmArgumentException(
                    what + " takes " + params.size() + " arguments " + t + ", got " + args.length);
        }
        List<Object> low = new ArrayList<>(args.length + 3);
        for (int i = 0; i < args.length; i++) {
            if (!Vals.fits(params.get(i), args[i], store)) {
                throw Vals.rejected(params.get(i), args[i], "argument " + i + " of " + what);
            }
            if (args[i] instanceof V128 v && params.get(i) == ValType.V128) {
                low.add(v.low());
                low.add(v.high());
            } else {
                low.add(args[i]);
            }
        }
        return low;
    }

    /** The results of {@code t} from an adapter's, pairs of i64 lanes joined back into v128s. */
    private static Object[] raise(FuncType t, Object[] r) {
        Object[] out = new Object[t.results().size()];
        for (int i = 0, at = 0; i < out.length; i++) {
            if (t.results().get(i) == ValType.V128) {
                out[i] = new V128((Long) r[at], (Long) r[at + 1]);
                at += 2;
            } else {
                out[i] = r[at++];
            }
        }
        return out;
    }

    /** Each declared parameter's, then each result's, index among {@link #lowered} values. */
    static int[] slots(FuncType t) {
        int[] slots = new int[t.params().size() + t.results().size()];
        int k = 0;
        for (List<ValType> list : List.of(t.params(), t.results())) {
            int at = 0;
            for (ValType v : list) {
                slots[k++] = at;
                at += v == ValType.V128 ? 2 : 1;
            }
        }
        return slots;
    }

    /**
     * The adapter for a host function declared as {@code t} (the native one, imported, has {@code lowered(t)}):
     * exports it as {@code name} with type {@code t}.
     */
    static byte[] hostAdapter(FuncType t, String name) {
        GeneratedModule m = new GeneratedModule();
        FuncType low = lowered(t);
        int h = m.importFunc("h", "h", low);
        GeneratedModule.Body b = new GeneratedModule.Body();
        for (int i = 0; i < t.params().size(); i++) {
            if (t.params().get(i) == ValType.V128) {
                b.splitV128(i);
            } else {
                b.localGet(i);
            }
        }
        b.op(0x10, h);
        int first = t.params().size(); // the lowered results are kept in locals after the parameters
        for (int i = low.results().size() - 1; i >= 0; i--) {
            b.localSet(first + i);
        }
        for (int i = 0, at = first; i < t.results().size(); i++) {
            if (t.results().get(i) == ValType.V128) {
                b.joinV128(at, at + 1);
                at += 2;
            } else {
                b.localGet(at++);
            }
        }
        m.export(name, GeneratedModule.FUNC, m.func(t, low.results(), b));
        return m.bytes();
    }

    /**
     * The adapter instance giving native host function {@code inner} the v128 signature it was declared with; it
     * exports that function as {@code h.name}, and its {@link Instance#hostCopies} hold the copy of {@code inner}
     * it calls.
     */
    static Instance hostAdapter(Func inner, Upcalls.Host h) {
        Module m = GeneratedModule.cached(
                inner.store,
                List.of("host", h.declared),
                () -> hostAdapter(h.declared, h.name),
                "a v128 host function");
        return Instance.adapter(inner.store, m, inner);
    }

    /** The adapter exporting {@code get} (and {@code set} if mutable) for a v128 global of type {@code t}. */
    static byte[] globalAdapter(GlobalType t) {
        GeneratedModule m = new GeneratedModule();
        int g = m.importGlobal("g", "g", t);
        List<ValType> twoI64 = List.of(ValType.I64, ValType.I64);
        GeneratedModule.Body get =
                new GeneratedModule.Body().op(0x23, g).localSet(0).splitV128(0);
        m.export("get", GeneratedModule.FUNC, m.func(new FuncType(List.of(), twoI64), List.of(ValType.V128), get));
        if (t.mutable()) {
            GeneratedModule.Body set = new GeneratedModule.Body().joinV128(0, 1).op(0x24, g);
            m.export("set", GeneratedModule.FUNC, m.func(new FuncType(twoI64, List.of()), List.of(), set));
        }
        return m.bytes();
    }

    /** The adapter instance of v128 global {@code g}. */
    static Instance globalAccess(Global g) {
        GlobalType t = g.type();
        return g.v128Access(() -> Instance.create(
                g.store, GeneratedModule.cached(g.store, t, () -> globalAdapter(t), "accessing " + g), g));
    }

    static V128 get(Global g) {
        Object[] r = globalAccess(g).func("get").call();
        return new V128((Long) r[0], (Long) r[1]);
    }

    static void set(Global g, V128 v) {
        globalAccess(g).func("set").call(v.low(), v.high());
    }

    /** A new v128 global: the export of a generated module defining it with {@code value} as its initializer. */
    static Global create(Store store, GlobalType t, V128 value) {
        GeneratedModule m = new GeneratedModule();
        GeneratedModule.Body init = new GeneratedModule.Body().simd(0x0C); // v128.const
        for (int i = 0; i < 16; i++) {
            init.op(value.i8(i) & 0xFF);
        }
        m.export("g", GeneratedModule.GLOBAL, m.global(t, init.out.toByteArray()));
        Engine engine = GeneratedModule.checkEngine(store, "creating a v128 global");
        try (Module module = Module.fromBinary(engine, m.bytes())) {
            return Instance.create(store, module).global("g");
        }
    }
}
