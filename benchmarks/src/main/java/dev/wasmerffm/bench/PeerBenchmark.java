package dev.wasmerffm.bench;

import dev.wasmerffm.Wasmer;
import java.util.concurrent.TimeUnit;
import java.util.function.IntBinaryOperator;
import java.util.function.IntUnaryOperator;
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

/** The call, host round trip and memory workloads of {@link CallBenchmark} and {@link MemoryBenchmark} on the peers. */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class PeerBenchmark {

    @Param({"chicory-interpreter", "chicory-compiler", "graalwasm", "wasmtime-java"})
    public String runtime;

    Peer calls;
    Peer memory;
    IntBinaryOperator add;
    IntUnaryOperator roundTrip;
    final byte[] in = new byte[1 << 20];
    final byte[] out = new byte[1 << 20];
    int i;

    @Setup(Level.Trial)
    public void setUp() {
        calls = Peer.of(runtime, Wasmer.wat2wasm(CallBenchmark.WAT));
        memory = Peer.of(runtime, Wasmer.wat2wasm(MemoryBenchmark.WAT));
        add = calls.i32i32("add");
        roundTrip = calls.i32("round_trip");
        java.util.Arrays.fill(in, (byte) 7);
        // a fast wrong answer must not count
        if (add.applyAsInt(2, 3) != 5 || roundTrip.applyAsInt(41) != 42) {
            throw new IllegalStateException(runtime + " computes wrong results");
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        calls.close();
        memory.close();
    }

    @Benchmark
    public int add() {
        return add.applyAsInt(i++, 2);
    }

    @Benchmark
    public int hostRoundTrip() {
        return roundTrip.applyAsInt(i++);
    }

    @Benchmark
    public byte writeThenRead1MiB() {
        memory.writeThenRead(in, out);
        return out[out.length - 1];
    }
}
