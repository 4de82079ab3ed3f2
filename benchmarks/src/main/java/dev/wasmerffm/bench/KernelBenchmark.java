package dev.wasmerffm.bench;

import dev.wasmerffm.Backend;
import dev.wasmerffm.Config;
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

/**
 * Compute kernels (recursive fib, an integer loop, a sieve in linear memory, SHA-256 compiled from C) per backend;
 * {@code cranelift-deadlines} compiles with {@link Config#deadlines(boolean)}, i.e. metered: what deadlines cost.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class KernelBenchmark {

    @Param({"fib", "loop", "sieve", "sha256"})
    public String kernel;

    @Param({"cranelift", "singlepass", "cranelift-deadlines"})
    public String backend;

    Loaded loaded;
    LongUnaryOperator run;
    long argument;

    @Setup(Level.Trial)
    public void setUp() {
        String name = backend.replace("-deadlines", "");
        loaded = Loaded.of(
                new Config().backend(Backend.of(name)).deadlines(!name.equals(backend)), Kernels.load(kernel));
        run = loaded.instance().func("run").asLongUnaryOperator();
        argument = Kernels.argument(kernel);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        loaded.close();
    }

    @Benchmark
    public long kernel() {
        return run.applyAsLong(argument);
    }
}
