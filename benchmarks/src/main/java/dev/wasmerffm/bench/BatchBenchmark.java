package dev.wasmerffm.bench;

import com.dylibso.chicory.compiler.MachineFactoryCompiler;
import com.dylibso.chicory.runtime.ExportFunction;
import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.WasmModule;
import dev.wasmerffm.Batch;
import dev.wasmerffm.Engine;
import dev.wasmerffm.Func;
import dev.wasmerffm.Instance;
import dev.wasmerffm.Module;
import dev.wasmerffm.Store;
import dev.wasmerffm.V128;
import dev.wasmerffm.Wasmer;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
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

/**
 * {@code add} over 1 M rows: one batch (one crossing), 1 M typed calls, and 1 M calls of Chicory's compiler (no
 * crossing at all), in ns per row; the floor under the batch: the same loop and copies in one module whose loop
 * calls its own {@code add} (a direct call, where the batch driver calls an import of another instance); and a v128
 * call (through its adapter) against an i64 call, in ns per call.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class BatchBenchmark {

    static final int ROWS = 1_000_000;
    /** Chicory's compiler has no v128, so its module is {@code add} alone. */
    static final String ADD = """
            (module (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add))
            """;
    /** The batch driver's loop with {@code add} in the same module: columns a, b, then results, from 0. */
    static final String LOOP = """
            (module
              (memory (export "mem") 184)
              (func $add (param i32 i32) (result i32) local.get 0 local.get 1 i32.add)
              (func (export "run") (param $n i32) (result i32)
                (local $i i32) (local $a i32) (local $b i32) (local $o i32)
                (local.set $b (i32.mul (local.get $n) (i32.const 4)))
                (local.set $o (i32.mul (local.get $n) (i32.const 8)))
                (block (loop
                  (br_if 1 (i32.ge_u (local.get $i) (local.get $n)))
                  (i32.store (local.get $o) (call $add (i32.load (local.get $a)) (i32.load (local.get $b))))
                  (local.set $a (i32.add (local.get $a) (i32.const 4)))
                  (local.set $b (i32.add (local.get $b) (i32.const 4)))
                  (local.set $o (i32.add (local.get $o) (i32.const 4)))
                  (local.set $i (i32.add (local.get $i) (i32.const 1)))
                  (br 0)))
                local.get $n))
            """;

    static final String IDS = """
            (module
              (func (export "id64") (param i64) (result i64) local.get 0)
              (func (export "id128") (param v128) (result v128) local.get 0))
            """;

    Engine engine;
    Store store;
    Batch batch;
    IntBinaryOperator add;
    ExportFunction chicoryAdd;
    IntUnaryOperator loop;
    MemorySegment loopMemory;
    Func id64;
    Func id128;
    final int[] a = new int[ROWS];
    final int[] b = new int[ROWS];
    final int[] out = new int[ROWS];
    final Object[] params = {a, b};
    final Object[] results = {out};
    final V128 v = V128.ofI32x4(1, 2, 3, 4);

    @Setup(Level.Trial)
    public void setUp() {
        engine = new Engine();
        store = new Store(engine);
        Instance i = Instance.create(store, Module.compile(engine, ADD));
        batch = i.func("add").batch();
        add = i.func("add").asIntBinaryOperator();
        Instance l = Instance.create(store, Module.compile(engine, LOOP));
        loop = l.func("run").asIntUnaryOperator();
        loopMemory = l.memory("mem").segment();
        Instance ids = Instance.create(store, Module.compile(engine, IDS));
        id64 = ids.func("id64");
        id128 = ids.func("id128");
        WasmModule m = Parser.parse(Wasmer.wat2wasm(ADD));
        chicoryAdd = com.dylibso.chicory.runtime.Instance.builder(m)
                .withMachineFactory(MachineFactoryCompiler.compile(m))
                .build()
                .export("add");
        for (int k = 0; k < ROWS; k++) {
            a[k] = k;
            b[k] = ROWS - 2 * k;
        }
        sameModuleLoopAdd1M();
        for (int k = 0; k < ROWS; k++) {
            if (out[k] != a[k] + b[k]) {
                throw new IllegalStateException("the same-module loop got row " + k + " wrong: " + out[k]);
            }
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        store.close();
        engine.close();
    }

    @Benchmark
    @OperationsPerInvocation(ROWS)
    public int[] batchAdd1M() {
        batch.run(ROWS, params, results);
        return out;
    }

    @Benchmark
    @OperationsPerInvocation(ROWS)
    public int[] sameModuleLoopAdd1M() {
        MemorySegment.copy(a, 0, loopMemory, ValueLayout.JAVA_INT, 0, ROWS);
        MemorySegment.copy(b, 0, loopMemory, ValueLayout.JAVA_INT, 4L * ROWS, ROWS);
        loop.applyAsInt(ROWS);
        MemorySegment.copy(loopMemory, ValueLayout.JAVA_INT, 8L * ROWS, out, 0, ROWS);
        return out;
    }

    @Benchmark
    @OperationsPerInvocation(ROWS)
    public int[] typedAdd1M() {
        for (int k = 0; k < ROWS; k++) {
            out[k] = add.applyAsInt(a[k], b[k]);
        }
        return out;
    }

    @Benchmark
    @OperationsPerInvocation(ROWS)
    public int[] chicoryCompilerAdd1M() {
        for (int k = 0; k < ROWS; k++) {
            out[k] = (int) chicoryAdd.apply(a[k], b[k])[0];
        }
        return out;
    }

    @Benchmark
    public Object[] callI64() {
        return id64.call(42L);
    }

    @Benchmark
    public Object[] callV128() {
        return id128.call(v);
    }
}
