package dev.wasmerffm.bench;

import dev.wasmerffm.Wasmer;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.function.IntBinaryOperator;
import java.util.function.IntUnaryOperator;
import java.util.function.LongUnaryOperator;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The binding's workloads in another JVM WebAssembly runtime, one subclass per runtime: {@link CallBenchmark}'s add
 * and host round trip, {@link MemoryBenchmark}'s 1 MiB write + read and {@link KernelBenchmark}'s kernels, on the same
 * module bytes and arguments. A module importing {@code env.host(i32) -> i32} gets {@code x + 1}, as in
 * CallBenchmark and the C baseline.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
// Shorter than the binding's iterations: Chicory's interpreter takes seconds per SHA-256 of 1 MiB.
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 2)
public abstract class PeerBenchmark {

    /** One workload per trial, so a trial instantiates only its own module and checks only its own result. */
    @Param({"add", "hostRoundTrip", "writeThenRead1MiB", "fib", "loop", "sieve", "sha256"})
    public String workload;

    final byte[] in = new byte[1 << 20];
    final byte[] out = new byte[1 << 20];
    LongUnaryOperator op;
    long i;

    /** Compiles and instantiates {@code wasm}. */
    abstract void instantiate(byte[] wasm);

    abstract IntBinaryOperator i32i32(String export);

    abstract IntUnaryOperator i32(String export);

    abstract LongUnaryOperator i64(String export);

    /**
     * Writes {@code in} at 0 of the exported memory "memory" and reads it back; returns what it read: {@code out}, or
     * a new array where the runtime reads only that way.
     */
    abstract byte[] writeThenRead(byte[] in, byte[] out);

    /** Frees the instance, where the runtime needs it. */
    void close() {}

    /** The module bytes of a workload: the binding's benchmarks compile the same text. */
    static byte[] module(String workload) {
        return switch (workload) {
            case "add", "hostRoundTrip" -> Wasmer.wat2wasm(CallBenchmark.WAT);
            case "writeThenRead1MiB" -> Wasmer.wat2wasm(MemoryBenchmark.WAT);
            default -> Wasmer.wat2wasm(Kernels.load(workload));
        };
    }

    @Setup(Level.Trial)
    public void setUp() {
        instantiate(module(workload));
        // Each workload is checked once, so a broken runtime cannot report a fast wrong answer.
        boolean right =
                switch (workload) {
                    case "add" -> {
                        IntBinaryOperator add = i32i32("add");
                        op = x -> add.applyAsInt((int) x, 2);
                        yield add.applyAsInt(2, 3) == 5;
                    }
                    case "hostRoundTrip" -> {
                        IntUnaryOperator roundTrip = i32("round_trip");
                        op = x -> roundTrip.applyAsInt((int) x);
                        yield roundTrip.applyAsInt(41) == 42;
                    }
                    case "writeThenRead1MiB" -> {
                        Arrays.fill(in, (byte) 7); // as MemoryBenchmark
                        op = x -> writeThenRead(in, out)[out.length - 1];
                        yield Arrays.equals(writeThenRead(in, out), in);
                    }
                    default -> {
                        LongUnaryOperator run = i64("run");
                        long argument = Kernels.argument(workload);
                        op = x -> run.applyAsLong(argument);
                        yield run.applyAsLong(argument) == Kernels.expected(workload);
                    }
                };
        if (!right) {
            throw new IllegalStateException(getClass().getSimpleName() + " computes a wrong " + workload);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        close();
    }

    @Benchmark
    public long run() {
        return op.applyAsLong(i++);
    }
}
