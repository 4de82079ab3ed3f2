package dev.wasmerffm.bench;

import dev.wasmerffm.Engine;
import dev.wasmerffm.Func;
import dev.wasmerffm.FuncType;
import dev.wasmerffm.Imports;
import dev.wasmerffm.Instance;
import dev.wasmerffm.Module;
import dev.wasmerffm.Store;
import dev.wasmerffm.ValType;
import dev.wasmerffm.internal.Layouts;
import dev.wasmerffm.raw.LibWasm;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.IntBinaryOperator;
import java.util.function.IntUnaryOperator;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

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

    Arena arena;
    MemorySegment rawFunc;
    MemorySegment rawArgs;
    MemorySegment rawResults;

    @Setup(Level.Trial)
    public void setUp() {
        engine = new Engine();
        store = new Store(engine);
        module = Module.compile(engine, WAT);
        Func host = Func.host(store, FuncType.of(List.of(ValType.I32), List.of(ValType.I32)),
                c -> c.result(0, c.i32(0) + 1));
        instance = Instance.create(store, module, new Imports().define("env", "host", host));
        addFunc = instance.func("add");
        add = addFunc.asIntBinaryOperator();
        roundTrip = instance.func("round_trip").asIntUnaryOperator();
        // bare FFM: the same function through the raw layer only, with hand-made vecs: no lock, checks or frames
        arena = Arena.ofConfined();
        rawFunc = rawAdd(arena);
        MemorySegment vals = arena.allocate(Layouts.VAL, 3);
        rawArgs = arena.allocate(Layouts.VEC);
        rawArgs.set(ValueLayout.JAVA_LONG, 0, 2);
        rawArgs.set(ValueLayout.ADDRESS, 8, vals);
        rawResults = arena.allocate(Layouts.VEC);
        rawResults.set(ValueLayout.JAVA_LONG, 0, 1);
        rawResults.set(ValueLayout.ADDRESS, 8, vals.asSlice(32));
        vals.set(ValueLayout.JAVA_BYTE, 0, (byte) 0);
        vals.set(ValueLayout.JAVA_BYTE, 16, (byte) 0);
        vals.set(ValueLayout.JAVA_INT, 24, 2);
    }

    private static MemorySegment rawAdd(Arena arena) {
        byte[] wat = "(module (func (export \"add\") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add))"
                .getBytes(java.nio.charset.StandardCharsets.UTF_8);
        MemorySegment watVec = arena.allocate(Layouts.VEC);
        watVec.set(ValueLayout.JAVA_LONG, 0, wat.length);
        watVec.set(ValueLayout.ADDRESS, 8, arena.allocateFrom(ValueLayout.JAVA_BYTE, wat));
        MemorySegment wasm = arena.allocate(Layouts.VEC);
        dev.wasmerffm.raw.LibWasmer.wat2wasm(watVec, wasm);
        MemorySegment store = LibWasm.wasm_store_new(LibWasm.wasm_engine_new());
        MemorySegment module = LibWasm.wasm_module_new(store, wasm);
        MemorySegment noImports = arena.allocate(Layouts.VEC);
        MemorySegment inst = LibWasm.wasm_instance_new(store, module, noImports, MemorySegment.NULL);
        MemorySegment exports = arena.allocate(Layouts.VEC);
        LibWasm.wasm_instance_exports(inst, exports);
        return LibWasm.wasm_extern_as_func(Layouts.vecData(exports, 8).get(ValueLayout.ADDRESS, 0));
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        arena.close();
        instance.close();
        store.close();
        module.close();
        engine.close();
    }

    @Benchmark
    public int addTyped() {
        return add.applyAsInt(i++, 2);
    }

    @Benchmark
    public Object addGeneric() {
        return addFunc.call(i++, 2)[0];
    }

    @Benchmark
    public int addBareFfm() {
        MemorySegment vals = rawArgs.get(ValueLayout.ADDRESS, 8).reinterpret(48);
        vals.set(ValueLayout.JAVA_INT, 8, i++);
        LibWasm.wasm_func_call(rawFunc, rawArgs, rawResults);
        return vals.get(ValueLayout.JAVA_INT, 40);
    }

    @Benchmark
    public int hostRoundTrip() {
        return roundTrip.applyAsInt(i++);
    }
}
