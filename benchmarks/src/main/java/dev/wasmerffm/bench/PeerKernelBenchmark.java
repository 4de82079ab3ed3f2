package dev.wasmerffm.bench;

import dev.wasmerffm.Wasmer;
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

/** {@link KernelBenchmark}'s kernels, same bytes and arguments, on the peers. */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class PeerKernelBenchmark {

    @Param({"fib", "loop", "sieve", "sha256"})
    public String kernel;

    @Param({"chicory-interpreter", "chicory-compiler", "graalwasm", "wasmtime-java"})
    public String runtime;

    Peer peer;
    LongUnaryOperator run;
    long argument;

    @Setup(Level.Trial)
    public void setUp() {
        peer = Peer.of(runtime, Wasmer.wat2wasm(Kernels.load(kernel)));
        run = peer.i64("run");
        argument = Kernels.argument(kernel);
        if (run.applyAsLong(argument) != Kernels.expected(kernel)) {
            throw new IllegalStateException(runtime + " computes a wrong " + kernel);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        peer.close();
    }

    @Benchmark
    public long kernel() {
        return run.applyAsLong(argument);
    }
}
