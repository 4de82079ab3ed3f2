package dev.wasmerffm.bench;

import dev.wasmerffm.Backend;
import dev.wasmerffm.Config;
import dev.wasmerffm.Engine;
import dev.wasmerffm.Instance;
import dev.wasmerffm.Module;
import dev.wasmerffm.Store;
import java.util.concurrent.TimeUnit;
import java.util.function.LongUnaryOperator;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/** Compute kernels (recursive fib, an integer loop, a sieve in linear memory, SHA-256 compiled from C) per backend. */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class KernelBenchmark {

    @Param({"fib", "loop", "sieve", "sha256"})
    public String kernel;

    @Param({"cranelift", "singlepass"})
    public String backend;

    Engine engine;
    Module module;
    Store store;
    Instance instance;
    LongUnaryOperator run;
    long argument;

    @Setup(Level.Trial)
    public void setUp() {
        engine = new Engine(new Config().backend(Backend.of(backend)));
        module = Module.compile(engine, Kernels.load(kernel));
        store = new Store(engine);
        instance = Instance.create(store, module);
        run = instance.func("run").asLongUnaryOperator();
        argument = Kernels.argument(kernel);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        instance.close();
        store.close();
        module.close();
        engine.close();
    }

    @Benchmark
    public long kernel() {
        return run.applyAsLong(argument);
    }
}
