package dev.wasmerffm;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntUnaryOperator;

/**
 * One function applied to many argument rows in one crossing per chunk: a driver module generated per signature
 * (and compiled once per engine) imports the function and loops over the rows in its own memory, so the per-call
 * cost of {@code wasm_func_call} is paid once per chunk, not once per row. Rows are columns: argument {@code p} of
 * every row in one array, results likewise. Numbers only (i32, i64, f32, f64). Runs under its store's lock: one
 * batch runs at a time per store, and a batch run again from inside its own run (a host function it calls) is
 * refused, since both runs would share the driver's memory.
 */
public final class Batch {

    /** Rows per crossing are bounded so the driver's memory stays at most this size. */
    static final long CHUNK_BYTES = 64L << 20;

    private final Func func;
    private final FuncType type;
    private final IntUnaryOperator run;
    private final Memory memory;
    private final Global row;
    private final int rowBytes;
    /** Whether a run is under way; read and written under the store's lock. */
    private boolean running;

    Batch(Func func) {
        this.func = func;
        this.type = func.type();
        for (ValType v : concat(type)) {
            if (v.isReference() || v == ValType.V128) {
                throw new WasmArgumentException(
                        func + " " + type + " cannot be batched: batches carry numbers" + " only (i32, i64, f32, f64)");
            }
        }
        Module driver =
                GeneratedModule.cached(func.store, List.of("batch", type), () -> driver(type), "batching " + func);
        Instance i = Instance.adapter(func.store, driver, func);
        this.run = i.func("run").asIntUnaryOperator();
        this.memory = i.memory("mem");
        this.row = i.global("row");
        int bytes = 0;
        for (ValType v : concat(type)) {
            bytes += size(v);
        }
        this.rowBytes = bytes;
    }

    private static List<ValType> concat(FuncType t) {
        List<ValType> all = new ArrayList<>(t.params());
        all.addAll(t.results());
        return all;
    }

    private static int size(ValType v) {
        return v == ValType.I32 || v == ValType.F32 ? 4 : 8;
    }

    /** The signature each row is applied to. */
    public FuncType type() {
        return type;
    }

    /**
     * Applies the function to rows {@code 0..rows-1}: {@code params[p]} holds argument {@code p} of every row,
     * {@code results[r]} receives result {@code r}, each an {@code int[]}, {@code long[]}, {@code float[]} or
     * {@code double[]} of the value's type with at least {@code rows} elements, or a {@link MemorySegment} of at
     * least {@code rows} values (native byte order).
     *
     * @throws BatchTrapException if a row traps, naming it; the rows before it have their results
     * @throws WasmArgumentException if a column is missing, of the wrong type or too short
     * @throws IllegalArgumentException if {@code rows} is negative
     * @throws IllegalStateException if called while this batch runs (from a host function it calls)
     */
    public void run(int rows, Object[] params, Object[] results) {
        if (rows < 0) {
            throw new IllegalArgumentException("rows must not be negative, got " + rows);
        }
        MemorySegment[] in = columns(rows, params, type.params(), "argument");
        MemorySegment[] out = columns(rows, results, type.results(), "result");
        int chunk = (int) Math.max(1, Math.min(rows, CHUNK_BYTES / Math.max(1, rowBytes)));
        func.store.enter();
        try {
            if (running) {
                throw new IllegalStateException("batch of " + func + " run again from inside its own run: both"
                        + " runs would use the driver's one memory; run another function's batch, or call " + func
                        + " directly");
            }
            running = true;
            try {
                for (int start = 0; start < rows; start += chunk) {
                    runChunk(start, Math.min(chunk, rows - start), in, out);
                }
            } finally {
                running = false;
            }
        } finally {
            func.store.exit();
        }
    }

    private MemorySegment[] columns(int rows, Object[] given, List<ValType> types, String what) {
        if (given.length != types.size()) {
            throw new WasmArgumentException(
                    func + " " + type + " has " + types.size() + " " + what + " columns, got " + given.length);
        }
        MemorySegment[] m = new MemorySegment[given.length];
        for (int c = 0; c < given.length; c++) {
            ValType t = types.get(c);
            MemorySegment s =
                    switch (given[c]) {
                        case int[] a when t == ValType.I32 -> MemorySegment.ofArray(a);
                        case long[] a when t == ValType.I64 -> MemorySegment.ofArray(a);
                        case float[] a when t == ValType.F32 -> MemorySegment.ofArray(a);
                        case double[] a when t == ValType.F64 -> MemorySegment.ofArray(a);
                        case MemorySegment a -> a;
                        case null, default ->
                            throw new WasmArgumentException(what + " column " + c + " of " + func
                                    + " must be " + t + " values (" + javaArray(t) + " or MemorySegment), got "
                                    + (given[c] == null
                                            ? "null"
                                            : given[c].getClass().getSimpleName()));
                    };
            if (s.byteSize() < (long) rows * size(t)) {
                throw new WasmArgumentException(what + " column " + c + " of " + func + " holds "
                        + s.byteSize() / size(t) + " values, fewer than the " + rows + " rows");
            }
            m[c] = s;
        }
        return m;
    }

    private static String javaArray(ValType t) {
        return t.name().charAt(0) == 'I'
                ? (t == ValType.I32 ? "int[]" : "long[]")
                : (t == ValType.F32 ? "float[]" : "double[]");
    }

    /** One crossing: the chunk's columns into the driver's memory, the loop, the results back. */
    private void runChunk(int start, int n, MemorySegment[] in, MemorySegment[] out) {
        long need = (long) n * rowBytes;
        long have = memory.dataSize();
        if (have < need && !memory.grow((need - have + Memory.PAGE_SIZE - 1) / Memory.PAGE_SIZE)) {
            throw new WasmerException("the batch driver's memory cannot grow to " + need + " bytes");
        }
        MemorySegment mem = memory.segment();
        long at = 0;
        for (int p = 0; p < in.length; p++) {
            long size = size(type.params().get(p));
            MemorySegment.copy(in[p], start * size, mem, at, n * size);
            at += n * size;
        }
        long resultsAt = at;
        try {
            run.applyAsInt(n);
        } catch (TrapException e) {
            int k = (Integer) row.get();
            copyOut(mem, resultsAt, start, n, k, out);
            throw new BatchTrapException(start + (long) k, func, e);
        }
        copyOut(mem, resultsAt, start, n, n, out);
    }

    /** The first {@code done} results of each column of a chunk of {@code n} rows. */
    private void copyOut(MemorySegment mem, long at, int start, int n, int done, MemorySegment[] out) {
        for (int r = 0; r < out.length; r++) {
            long size = size(type.results().get(r));
            MemorySegment.copy(mem, at, out[r], start * size, done * size);
            at += n * size;
        }
    }

    /**
     * The driver for {@code t}: imports it as {@code f}, exports memory {@code mem}, the running row as global
     * {@code row}, and {@code run(n) -> n}, which applies {@code f} to rows {@code 0..n-1} laid out as columns (every
     * parameter's {@code n} values, then every result's).
     */
    static byte[] driver(FuncType t) {
        GeneratedModule m = new GeneratedModule();
        int f = m.importFunc("f", "f", t);
        m.memory(1);
        int g = m.global(
                new GlobalType(ValType.I32, true),
                new GeneratedModule.Body().constant(0x41, 0).out.toByteArray());
        List<ValType> columns = concat(t);
        int n = 0;
        int i = 1;
        int ptr = 2; // one address per column, moved on by its size each row
        int firstResult = ptr + columns.size();
        List<ValType> locals = new ArrayList<>();
        locals.add(ValType.I32);
        columns.forEach(c -> locals.add(ValType.I32));
        locals.addAll(t.results());
        GeneratedModule.Body b = new GeneratedModule.Body();
        int prefix = 0;
        for (int c = 0; c < columns.size(); c++) {
            b.localGet(n).constant(0x41, prefix).op(0x6C).localSet(ptr + c); // column c starts at n * prefix
            prefix += size(columns.get(c));
        }
        b.op(0x02).op(0x40).op(0x03).op(0x40); // block, loop
        b.localGet(i).localGet(n).op(0x4F).op(0x0D, 1); // i >= n (unsigned): exit
        b.localGet(i).op(0x24, g);
        int params = t.params().size();
        for (int p = 0; p < params; p++) {
            b.localGet(ptr + p)
                    .op(load(columns.get(p)))
                    .op(align(columns.get(p)))
                    .op(0);
        }
        b.op(0x10, f);
        for (int r = t.results().size() - 1; r >= 0; r--) {
            b.localSet(firstResult + r);
        }
        for (int r = 0; r < t.results().size(); r++) {
            ValType v = t.results().get(r);
            b.localGet(ptr + params + r)
                    .localGet(firstResult + r)
                    .op(load(v) + 0x0E)
                    .op(align(v))
                    .op(0); // store
        }
        for (int c = 0; c < columns.size(); c++) {
            b.localGet(ptr + c).constant(0x41, size(columns.get(c))).op(0x6A).localSet(ptr + c);
        }
        b.localGet(i).constant(0x41, 1).op(0x6A).localSet(i).op(0x0C, 0); // i++, loop
        b.op(0x0B).op(0x0B).localGet(n); // end loop, end block, return n
        int run = m.func(new FuncType(List.of(ValType.I32), List.of(ValType.I32)), locals, b);
        m.export("run", GeneratedModule.FUNC, run);
        m.export("mem", GeneratedModule.MEMORY, 0);
        m.export("row", GeneratedModule.GLOBAL, g);
        return m.bytes();
    }

    /** The natural alignment (log2) of a number's loads and stores. */
    private static int align(ValType v) {
        return size(v) == 4 ? 2 : 3;
    }

    /** The load opcode of a number type; its store is 0x0E higher. */
    private static int load(ValType v) {
        return switch (v) {
            case I32 -> 0x28;
            case I64 -> 0x29;
            case F32 -> 0x2A;
            default -> 0x2B;
        };
    }
}
