package dev.wasmerffm;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.wasmerffm.internal.Layouts;
import dev.wasmerffm.internal.store.Lifetime;
import dev.wasmerffm.internal.store.NativeResource;
import dev.wasmerffm.raw.LibWasm;
import dev.wasmerffm.raw.LibWasmer;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;
import java.util.function.IntBinaryOperator;
import java.util.function.IntSupplier;
import java.util.function.IntUnaryOperator;
import java.util.function.LongBinaryOperator;
import java.util.function.LongUnaryOperator;

/**
 * A WebAssembly function: an instance's export, a host function written in Java, or a funcref value.
 *
 * <p>{@link #call(Object...)} takes and returns boxed values, checked against the signature. The {@code as...}
 * methods return plain Java functional interfaces checked once against the signature, whose calls allocate nothing
 * (on a platform thread).
 *
 * <p>Called on a virtual thread, a call runs on a platform thread while the virtual thread waits, unmounted: a
 * thread in native code or in a host function called from it is pinned to its carrier, so wasm running there, or a
 * host function blocking, would take a carrier from every other virtual thread. Host functions of such a call run
 * on that platform thread (not seeing the virtual thread's thread-locals unless {@link Store#handOff} carries them,
 * nor holding its locks); an interrupt of the waiting virtual thread reaches them. At most 256 such calls run at
 * once (system property {@code dev.wasmerffm.platformCallThreads}; 0 keeps calls on the virtual thread, pinning its
 * carrier); more wait, parked. Each hand-off costs a platform thread's wake-up and the virtual thread's: make many
 * small calls from a platform thread, or batch them.
 */
public final class Func extends Extern {

    private static final long V = Vals.SIZE;
    private static final long P = Layouts.VAL_PAYLOAD;
    // The kinds the typed adapters write, from the generated enum through ValType.
    private static final byte I32 = (byte) ValType.I32.kind();
    private static final byte I64 = (byte) ValType.I64.kind();
    private static final byte F64 = (byte) ValType.F64.kind();

    private final String name;
    private final Upcalls.Host host;
    private volatile FuncType type;
    /** The lowered export of this v128 function's adapter, made on its first call (see {@link V128Adapters}). */
    private volatile Func v128Adapter;
    /** This function's batch driver, made on first use. */
    private volatile Batch batch;
    /** For the export of a v128 host function's adapter: the native host function it wraps; set once, in host. */
    Func v128Host;

    /** An instance export, or a view owned by a WASI environment. */
    Func(Store store, MemorySegment func, Lifetime owner, String name, FuncType type) {
        super(store, func, owner);
        this.name = name;
        this.host = null;
        this.type = type;
    }

    /** A function this object owns (host function, funcref value, WASI start function); type null = ask libwasmer. */
    private Func(Store store, MemorySegment func, String name, FuncType type, Upcalls.Host host) {
        super(store, NativeResource.Kind.FUNC, func);
        this.name = name;
        this.host = host;
        this.type = type;
    }

    /**
     * A host function: wasm calls {@code fn} with arguments of {@code type}. Anything {@code fn} throws becomes a
     * trap whose {@link TrapException} carries the throwable as its cause. An instance importing it gets a copy of
     * its own, so {@link HostCall#caller()} is that instance. With v128 in {@code type}, the native function takes
     * and returns i64 lanes and the returned function is the export of a generated adapter module giving it
     * {@code type} (see {@link V128Adapters}); each instance importing it gets an adapter of its own, so
     * {@link HostCall#caller()} is the importing instance here too.
     */
    public static Func host(Store store, FuncType type, HostFunction fn) {
        store.enter();
        try {
            Upcalls.Host h = new Upcalls.Host(fn, type, "host" + type);
            Func f = new Func(store, Upcalls.newNative(store, h), h.name, h.type, h);
            if (!type.hasV128()) {
                return f;
            }
            Func adapter = V128Adapters.hostAdapter(f, h).func(h.name);
            adapter.v128Host = f;
            return adapter;
        } finally {
            store.exit();
        }
    }

    /**
     * A native copy of this host function bound to the instance being made (set as {@code caller} once it
     * exists), as an owned handle of the store; caller holds the lock.
     */
    Upcalls.Host bindCopy(java.util.function.Consumer<MemorySegment> func) {
        Upcalls.Host copy = new Upcalls.Host(host.fn, host.declared, host.name);
        func.accept(Upcalls.newNative(store, copy));
        return copy;
    }

    /** A funcref value read from wasm: a new owned {@code wasm_func_t} made from {@code ref}. */
    static Func fromRef(Store store, MemorySegment ref) {
        return new Func(store, LibWasm.wasm_ref_as_func(ref), "funcref", null, null);
    }

    /** An owned function of an instance with a known type (e.g. the WASI start function). */
    static Func owned(Store store, MemorySegment func, String name, FuncType type) {
        return new Func(store, func, name, type, null);
    }

    /** A host function's Java side; null for other functions. */
    Upcalls.Host host() {
        return host;
    }

    boolean isHost() {
        return host != null;
    }

    @Override
    MemorySegment asExtern() {
        return LibWasm.wasm_func_as_extern(pointer());
    }

    @Override
    public ExternKind kind() {
        return ExternKind.FUNC;
    }

    /** The export name, or a description for host functions and funcref values. */
    public String name() {
        return name;
    }

    /**
     * The signature. For funcref values in a store that holds a SIMD module the type cannot be asked of libwasmer
     * (it aborts on v128), so this throws {@link WasmerException} there.
     */
    @Override
    public FuncType type() {
        FuncType t = type;
        if (t == null) {
            t = locked(f -> {
                if (store.hasV128) {
                    throw new WasmerException("the type of funcref " + this + " cannot be read: its store holds a"
                            + " module using v128, on which libwasmer aborts");
                }
                MemorySegment ft = LibWasm.wasm_func_type(f);
                try {
                    return Types.funcType(ft);
                } finally {
                    LibWasm.wasm_functype_delete(ft);
                }
            });
            type = t;
        }
        return t;
    }

    /** Number of parameters ({@code wasm_func_param_arity}). */
    public int paramArity() {
        return (int) (long) locked(LibWasm::wasm_func_param_arity);
    }

    /** Number of results ({@code wasm_func_result_arity}). */
    public int resultArity() {
        return (int) (long) locked(LibWasm::wasm_func_result_arity);
    }

    /**
     * Calls the function with boxed arguments (Integer, Long, Float, Double, {@link V128}, Func or null for
     * funcref, any object or null for externref), checked against the signature before anything runs. A signature
     * with v128 runs through a generated adapter ({@link V128Adapters}) instantiated in the store on the first call;
     * not for a metered module's functions.
     *
     * @return the results, boxed the same way
     * @throws WasmArgumentException on a wrong argument count or type, or a v128 signature of a metered module
     * @throws TrapException if the function traps, with the host exception as cause if one caused it
     */
    public Object[] call(Object... args) {
        return call(store.callTimeoutNanos, args);
    }

    /**
     * {@link #call(Object...)} with a deadline (not an overload of it: {@code call(null)} must stay a call with a
     * null reference argument): once {@code timeout} has passed, the call stops with a
     * {@link DeadlineExceededException}. The watchdog stops wasm at its next metering check and interrupts a Java
     * host function ({@link Thread#interrupt()}) once; a host function neither starts past the deadline nor returns
     * to wasm past it, so one that ignores the interrupt ends the call when it returns. The instance stays usable,
     * with the points it had when stopped (never more than it had left). The function must be a metered module's
     * (see {@link Config#deadlines(boolean)}) or a host function.
     *
     * <p>A call made from a host function while a deadline runs is under it too: in the same store under that
     * deadline instead of its own, in another store under the earlier of the two; wasm there that no deadline can
     * stop (a store without a metered instance) is refused with {@link IllegalStateException}. Instances a host
     * function creates during the call (their start functions) are not stopped by it. The watchdog's interrupt is
     * cleared when the call returns, and with it an interrupt from elsewhere that arrived during the same call.
     *
     * @throws DeadlineExceededException if the deadline passed before the call finished
     * @throws IllegalStateException if the store holds no metered instance that could be stopped
     */
    public Object[] callWithTimeout(Duration timeout, Object... args) {
        long nanos = timeout.toNanos();
        if (nanos <= 0) {
            throw new IllegalArgumentException("timeout must be positive, got " + timeout);
        }
        return call(nanos, args);
    }

    Object[] call(long timeoutNanos, Object[] args) {
        FuncType t = type();
        if (t.hasV128()) {
            return V128Adapters.call(this, t, timeoutNanos, args);
        }
        List<ValType> params = t.params();
        if (args.length != params.size()) {
            throw new WasmArgumentException(
                    this + " takes " + params.size() + " arguments " + t + ", got " + args.length);
        }
        for (int i = 0; i < args.length; i++) {
            if (!Vals.fits(params.get(i), args[i], store)) {
                throw Vals.rejected(params.get(i), args[i], "argument " + i + " of " + this);
            }
        }
        List<MemorySegment> temps = new ArrayList<>(0);
        Store.Frame f = begin(params.size(), t.results().size());
        try {
            for (int i = 0; i < args.length; i++) {
                Vals.write(f.argVals, i * V, params.get(i), args[i], store, temps);
            }
            run(f, timeoutNanos);
            Object[] out = new Object[t.results().size()];
            for (int i = 0; i < out.length; i++) {
                out[i] = Vals.read(f.resultVals, i * V, t.results().get(i), store, true);
            }
            return out;
        } finally {
            temps.forEach(LibWasm::wasm_ref_delete);
            end();
        }
    }

    /**
     * The {@link Batch} applying this function to many argument rows per crossing; its generated driver is
     * instantiated in the store on the first call, and later calls return the same batch.
     *
     * @throws WasmArgumentException if the signature is not all numbers, or the function is a metered module's
     */
    public Batch batch() {
        return V128Adapters.once(store, () -> batch, b -> batch = b, () -> new Batch(this));
    }

    /** This function's v128 adapter, made by {@code make} under the store's lock on first use. */
    Func v128Adapter(java.util.function.Supplier<Func> make) {
        return V128Adapters.once(store, () -> v128Adapter, a -> v128Adapter = a, make);
    }

    private void expect(FuncType wanted, String as) {
        FuncType t = type();
        if (!t.equals(wanted)) {
            throw new WasmArgumentException(
                    "function " + this + " has signature " + t + ", not " + wanted + " as " + as + " needs");
        }
    }

    private static FuncType sig(ValType param, int params, ValType result, int results) {
        return new FuncType(
                java.util.Collections.nCopies(params, param), java.util.Collections.nCopies(results, result));
    }

    /** As {@code (i32, i32) -> i32}; no allocation per call. */
    public IntBinaryOperator asIntBinaryOperator() {
        expect(sig(ValType.I32, 2, ValType.I32, 1), "IntBinaryOperator");
        return (a, b) -> {
            Store.Frame f = begin(2, 1);
            try {
                f.argVals.set(JAVA_BYTE, 0, I32);
                f.argVals.set(JAVA_INT, P, a);
                f.argVals.set(JAVA_BYTE, V, I32);
                f.argVals.set(JAVA_INT, V + P, b);
                run(f);
                return f.resultVals.get(JAVA_INT, P);
            } finally {
                end();
            }
        };
    }

    /** As {@code (i32) -> i32}; no allocation per call. */
    public IntUnaryOperator asIntUnaryOperator() {
        expect(sig(ValType.I32, 1, ValType.I32, 1), "IntUnaryOperator");
        return a -> {
            Store.Frame f = begin(1, 1);
            try {
                f.argVals.set(JAVA_BYTE, 0, I32);
                f.argVals.set(JAVA_INT, P, a);
                run(f);
                return f.resultVals.get(JAVA_INT, P);
            } finally {
                end();
            }
        };
    }

    /** As {@code () -> i32}; no allocation per call. */
    public IntSupplier asIntSupplier() {
        expect(sig(ValType.I32, 0, ValType.I32, 1), "IntSupplier");
        return () -> {
            Store.Frame f = begin(0, 1);
            try {
                run(f);
                return f.resultVals.get(JAVA_INT, P);
            } finally {
                end();
            }
        };
    }

    /** As {@code () -> ()}; no allocation per call. */
    public Runnable asRunnable() {
        expect(sig(ValType.I32, 0, ValType.I32, 0), "Runnable");
        return () -> {
            Store.Frame f = begin(0, 0);
            try {
                run(f);
            } finally {
                end();
            }
        };
    }

    /** As {@code (i64, i64) -> i64}; no allocation per call. */
    public LongBinaryOperator asLongBinaryOperator() {
        expect(sig(ValType.I64, 2, ValType.I64, 1), "LongBinaryOperator");
        return (a, b) -> {
            Store.Frame f = begin(2, 1);
            try {
                f.argVals.set(JAVA_BYTE, 0, I64);
                f.argVals.set(JAVA_LONG, P, a);
                f.argVals.set(JAVA_BYTE, V, I64);
                f.argVals.set(JAVA_LONG, V + P, b);
                run(f);
                return f.resultVals.get(JAVA_LONG, P);
            } finally {
                end();
            }
        };
    }

    /** As {@code (i64) -> i64}; no allocation per call. */
    public LongUnaryOperator asLongUnaryOperator() {
        expect(sig(ValType.I64, 1, ValType.I64, 1), "LongUnaryOperator");
        return a -> {
            Store.Frame f = begin(1, 1);
            try {
                f.argVals.set(JAVA_BYTE, 0, I64);
                f.argVals.set(JAVA_LONG, P, a);
                run(f);
                return f.resultVals.get(JAVA_LONG, P);
            } finally {
                end();
            }
        };
    }

    /** As {@code (f64, f64) -> f64}; no allocation per call. */
    public DoubleBinaryOperator asDoubleBinaryOperator() {
        expect(sig(ValType.F64, 2, ValType.F64, 1), "DoubleBinaryOperator");
        return (a, b) -> {
            Store.Frame f = begin(2, 1);
            try {
                f.argVals.set(JAVA_BYTE, 0, F64);
                f.argVals.set(JAVA_DOUBLE, P, a);
                f.argVals.set(JAVA_BYTE, V, F64);
                f.argVals.set(JAVA_DOUBLE, V + P, b);
                run(f);
                return f.resultVals.get(JAVA_DOUBLE, P);
            } finally {
                end();
            }
        };
    }

    /** As {@code (f64) -> f64}; no allocation per call. */
    public DoubleUnaryOperator asDoubleUnaryOperator() {
        expect(sig(ValType.F64, 1, ValType.F64, 1), "DoubleUnaryOperator");
        return a -> {
            Store.Frame f = begin(1, 1);
            try {
                f.argVals.set(JAVA_BYTE, 0, F64);
                f.argVals.set(JAVA_DOUBLE, P, a);
                run(f);
                return f.resultVals.get(JAVA_DOUBLE, P);
            } finally {
                end();
            }
        };
    }

    /** Locks the store, checks everything is open and takes a scratch frame. Pair with {@link #end()}. */
    private Store.Frame begin(int params, int results) {
        store.enter();
        try {
            pointer();
            return store.push(params, results);
        } catch (RuntimeException e) {
            store.exit();
            throw e;
        }
    }

    private void end() {
        store.pop();
        store.exit();
    }

    /** The native call under the store's {@link Store#callTimeout(Duration) call timeout}, if any. */
    private void run(Store.Frame f) {
        run(f, store.callTimeoutNanos);
    }

    /**
     * The native call; a returned trap becomes a {@link TrapException}. Checked open by {@link #begin}. Without a
     * deadline armed or asked for, this costs two field reads, a thread-local read and a virtual-thread check more
     * than the bare downcall. A virtual thread's call runs on a platform thread ({@link PlatformCalls}).
     */
    private void run(Store.Frame f, long timeoutNanos) {
        if (PlatformCalls.ON && Thread.currentThread().isVirtual()) {
            PlatformCalls.call(store, () -> {
                runHere(f, timeoutNanos);
                return null;
            });
        } else {
            runHere(f, timeoutNanos);
        }
    }

    private void runHere(Store.Frame f, long timeoutNanos) {
        Deadline d = store.deadline;
        MemorySegment trap;
        boolean stopped;
        if (d != null) {
            // called back from a host function while an outer call's deadline runs: this wasm can be stopped too
            d.nestedEnters(this);
            trap = LibWasm.wasm_func_call(rawPointer(), f.argsPointer, f.resultsPointer);
            d.nestedExits();
            stopped = d.fired();
        } else {
            CallThread thread = CallThread.current();
            Deadline outer = thread.deadline; // a call running in another store on this thread has one
            if (timeoutNanos <= 0 && outer == null && !store.stopped) {
                trap = LibWasm.wasm_func_call(rawPointer(), f.argsPointer, f.resultsPointer);
                stopped = false;
            } else {
                d = Deadline.of(store).arm(store, this, timeoutNanos, outer);
                store.deadline = d;
                thread.deadline = d;
                try {
                    trap = LibWasm.wasm_func_call(rawPointer(), f.argsPointer, f.resultsPointer);
                } finally {
                    store.deadline = null;
                    thread.deadline = outer;
                    stopped = d.finish();
                }
            }
        }
        if (!trap.equals(MemorySegment.NULL)) {
            Throwable cause = store.takePending();
            boolean stop = cause == Deadline.STOP; // a host function started or returned past the deadline
            if (stop) {
                cause = null;
            }
            if (d != null && (stop || stopped || cause instanceof DeadlineExceededException)) {
                throw Traps.toDeadlineException(trap, this, cause, d.timeoutNanos);
            }
            throw Traps.toException(trap, this, cause, exhausted());
        }
    }

    /**
     * Whether a metered instance of the store ran out of points: the trap may have come from one other than the
     * instance this function belongs to. Their handles are freed only when no call runs, so each is valid here.
     */
    private boolean exhausted() {
        boolean any = false;
        for (var it = store.metered.iterator(); it.hasNext(); ) {
            Instance i = it.next();
            if (i.isFreed()) {
                it.remove();
            } else {
                any |= LibWasmer.wasmer_metering_points_are_exhausted(i.rawPointer());
            }
        }
        return any;
    }

    @Override
    public String toString() {
        return "Func[" + name + "]";
    }
}
