package dev.wasmerffm.bench;

import dev.wasmerffm.Engine;
import dev.wasmerffm.Func;
import dev.wasmerffm.FuncType;
import dev.wasmerffm.Imports;
import dev.wasmerffm.Instance;
import dev.wasmerffm.Module;
import dev.wasmerffm.Store;
import dev.wasmerffm.ValType;
import dev.wasmerffm.raw.LibWasm;
import dev.wasmerffm.raw.LibWasmer;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.IntBinaryOperator;
import java.util.function.IntUnaryOperator;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;

/** Calls through the public API, and the same call through bare FFM (the floor the API adds to). */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class CallBenchmark {

    /** The same module as benchmarks/c/baseline.c. */
    static final String WAT = """
            (module
              (import "env" "host" (func $host (param i32) (result i32)))
              (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add)
              (func (export "round_trip") (param i32) (result i32) local.get 0 call $host))
            """;

    Engine engine;
    Store store;
    Module module;
    Instance instance;
    IntBinaryOperator add;
    Func addFunc;
    IntUnaryOperator roundTrip;
    int i;

    Bare bare;

    @Setup(Level.Trial)
    public void setUp() {
        engine = new Engine();
        store = new Store(engine);
        module = Module.compile(engine, WAT);
        Func host = Func.host(
                store, FuncType.of(List.of(ValType.I32), List.of(ValType.I32)), c -> c.result(0, c.i32(0) + 1));
        instance = Instance.create(store, module, new Imports().define("env", "host", host));
        addFunc = instance.func("add");
        add = addFunc.asIntBinaryOperator();
        roundTrip = instance.func("round_trip").asIntUnaryOperator();
        bare = new Bare();
        if (bare.add(40, 2) != 42 || bare.roundTrip(41) != 42) {
            throw new IllegalStateException("the bare-FFM module computes wrong results");
        }
    }

    /**
     * The same module through the generated {@code Lib*} functions and java.lang.foreign only, as C uses the C
     * API: one store, hand-made value vectors, an upcall stub made here; no lock, checks, frames or env lookup. It
     * spells the C layouts out instead of using the binding's {@code Layouts}, so it depends on nothing but the
     * generated functions.
     */
    static final class Bare {
        /** {@code sizeof(wasm_val_t)}: a kind byte, 7 bytes of padding, the 8-byte payload. */
        static final long VAL = 16;
        /** {@code wasm_*_vec_t}: {@code size_t size} at 0, {@code T* data} at 8. */
        static final long VEC = 16;

        static final long PAYLOAD = 8;
        static final long DATA = 8;
        /** All of native memory: the upcall reads and writes libwasmer's vectors by absolute address. */
        static final MemorySegment NATIVE = MemorySegment.NULL.reinterpret(Long.MAX_VALUE);

        final Arena arena = Arena.ofConfined();
        final MemorySegment engine = LibWasm.wasm_engine_new();
        final MemorySegment store = LibWasm.wasm_store_new(engine);
        final MemorySegment wasm = arena.allocate(VEC);
        final MemorySegment module;
        final MemorySegment instance;
        final MemorySegment exports = arena.allocate(VEC);
        final MemorySegment addFunc;
        final MemorySegment roundTripFunc;
        /** Three values: two arguments, then one result. */
        final MemorySegment vals = arena.allocate(3 * VAL);

        final MemorySegment args2 = vec(2, vals);
        final MemorySegment args1 = vec(1, vals);
        final MemorySegment results = vec(1, vals.asSlice(2 * VAL));

        Bare() {
            byte[] wat = WAT.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            LibWasmer.wat2wasm(vec(wat.length, arena.allocateFrom(ValueLayout.JAVA_BYTE, wat)), wasm);
            module = LibWasm.wasm_module_new(store, wasm);
            MemorySegment i32s = arena.allocate(ValueLayout.ADDRESS, 2);
            i32s.setAtIndex(ValueLayout.ADDRESS, 0, LibWasm.wasm_valtype_new(LibWasm.wasm_valkind_enum.WASM_I32));
            i32s.setAtIndex(ValueLayout.ADDRESS, 1, LibWasm.wasm_valtype_new(LibWasm.wasm_valkind_enum.WASM_I32));
            MemorySegment params = arena.allocate(VEC);
            MemorySegment resultTypes = arena.allocate(VEC);
            LibWasm.wasm_valtype_vec_new(params, 1, i32s);
            LibWasm.wasm_valtype_vec_new(resultTypes, 1, i32s.asSlice(ValueLayout.ADDRESS.byteSize()));
            MemorySegment hostType = LibWasm.wasm_functype_new(params, resultTypes); // takes both vectors
            MemorySegment host;
            try {
                // Pointers as longs, as the binding's own upcall takes them: ADDRESS parameters allocate per call.
                host = Linker.nativeLinker()
                        .upcallStub(
                                MethodHandles.lookup()
                                        .findStatic(
                                                Bare.class,
                                                "host",
                                                MethodType.methodType(long.class, long.class, long.class)),
                                FunctionDescriptor.of(
                                        ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG),
                                arena);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
            MemorySegment hostFunc = LibWasm.wasm_func_new(store, hostType, host); // copies the type
            LibWasm.wasm_functype_delete(hostType);
            MemorySegment imports =
                    vec(1, arena.allocateFrom(ValueLayout.ADDRESS, LibWasm.wasm_func_as_extern(hostFunc)));
            instance = LibWasm.wasm_instance_new(store, module, imports, MemorySegment.NULL);
            LibWasm.wasm_instance_exports(instance, exports);
            MemorySegment externs =
                    exports.get(ValueLayout.ADDRESS, DATA).reinterpret(2 * ValueLayout.ADDRESS.byteSize());
            addFunc = LibWasm.wasm_extern_as_func(externs.getAtIndex(ValueLayout.ADDRESS, 0));
            roundTripFunc = LibWasm.wasm_extern_as_func(externs.getAtIndex(ValueLayout.ADDRESS, 1));
            for (int v = 0; v < 3; v++) {
                vals.set(ValueLayout.JAVA_BYTE, v * VAL, (byte) LibWasm.wasm_valkind_enum.WASM_I32);
            }
        }

        private MemorySegment vec(long size, MemorySegment data) {
            MemorySegment v = arena.allocate(VEC);
            v.set(ValueLayout.JAVA_LONG, 0, size);
            v.set(ValueLayout.ADDRESS, DATA, data);
            return v;
        }

        /** {@code wasm_func_callback_t}, as benchmarks/c/baseline.c's host: the argument plus one. */
        static long host(long args, long results) {
            long in = NATIVE.get(ValueLayout.JAVA_LONG, args + DATA);
            long out = NATIVE.get(ValueLayout.JAVA_LONG, results + DATA);
            NATIVE.set(ValueLayout.JAVA_BYTE, out, (byte) LibWasm.wasm_valkind_enum.WASM_I32);
            NATIVE.set(ValueLayout.JAVA_INT, out + PAYLOAD, NATIVE.get(ValueLayout.JAVA_INT, in + PAYLOAD) + 1);
            return 0;
        }

        int add(int a, int b) {
            vals.set(ValueLayout.JAVA_INT, PAYLOAD, a);
            vals.set(ValueLayout.JAVA_INT, VAL + PAYLOAD, b);
            LibWasm.wasm_func_call(addFunc, args2, results);
            return vals.get(ValueLayout.JAVA_INT, 2 * VAL + PAYLOAD);
        }

        int roundTrip(int a) {
            vals.set(ValueLayout.JAVA_INT, PAYLOAD, a);
            LibWasm.wasm_func_call(roundTripFunc, args1, results);
            return vals.get(ValueLayout.JAVA_INT, 2 * VAL + PAYLOAD);
        }

        void close() {
            LibWasm.wasm_extern_vec_delete(exports);
            LibWasm.wasm_instance_delete(instance);
            LibWasm.wasm_module_delete(module);
            LibWasm.wasm_byte_vec_delete(wasm);
            LibWasm.wasm_store_delete(store); // frees the host function, before its stub goes with the arena
            LibWasm.wasm_engine_delete(engine);
            arena.close();
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        bare.close();
        instance.close();
        store.close();
        module.close();
        engine.close();
    }

    @Benchmark
    public int addTyped() {
        return add.applyAsInt(i++, 2);
    }

    /** Calls per virtual thread in {@link #addTypedFromVirtualThread}, which amortise starting it. */
    static final int VIRTUAL_CALLS = 1000;

    /**
     * The typed add from a virtual thread: each call is handed to a platform thread and back (the binding's way of
     * keeping wasm off the carriers); one thread started per {@value #VIRTUAL_CALLS} calls.
     */
    @Benchmark
    @OperationsPerInvocation(VIRTUAL_CALLS)
    public int addTypedFromVirtualThread() throws InterruptedException {
        int[] sum = new int[1];
        Thread.ofVirtual()
                .start(() -> {
                    for (int k = 0; k < VIRTUAL_CALLS; k++) {
                        sum[0] += add.applyAsInt(k, 2);
                    }
                })
                .join();
        return sum[0];
    }

    @Benchmark
    public Object addGeneric() {
        return addFunc.call(i++, 2)[0];
    }

    @Benchmark
    public int addBareFfm() {
        return bare.add(i++, 2);
    }

    @Benchmark
    public int hostRoundTrip() {
        return roundTrip.applyAsInt(i++);
    }

    @Benchmark
    public int hostRoundTripBareFfm() {
        return bare.roundTrip(i++);
    }

    // The scaling floors for PoolBenchmark's threads: each thread has a store (bare: an engine too) of its own, so
    // nothing of the binding or the pool is shared; what stops two threads doing twice the work is below them.

    /** Bare-FFM add on one thread. */
    @Benchmark
    @Threads(1)
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    public int scalingBareFfm1Thread() {
        return bare.add(i++, 2);
    }

    /** Bare-FFM add on two threads. */
    @Benchmark
    @Threads(2)
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    public int scalingBareFfm2Threads() {
        return bare.add(i++, 2);
    }

    /** Typed add on one thread. */
    @Benchmark
    @Threads(1)
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    public int scalingTyped1Thread() {
        return add.applyAsInt(i++, 2);
    }

    /** Typed add on two threads. */
    @Benchmark
    @Threads(2)
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    public int scalingTyped2Threads() {
        return add.applyAsInt(i++, 2);
    }
}
