package dev.wasmerffm.bench;

import dev.wasmerffm.Config;
import dev.wasmerffm.Memory;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/** 1 MiB written into linear memory and read back out, through the public API. */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class MemoryBenchmark {

    /** 17 pages: room for 1 MiB. */
    static final String WAT = "(module (memory (export \"memory\") 17))";

    Loaded loaded;
    Memory memory;
    final byte[] in = new byte[1 << 20];
    final byte[] out = new byte[1 << 20];

    @Setup(Level.Trial)
    public void setUp() {
        loaded = Loaded.of(new Config(), WAT.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        memory = loaded.instance().memory("memory");
        java.util.Arrays.fill(in, (byte) 7);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        loaded.close();
    }

    @Benchmark
    public byte writeThenRead1MiB() {
        memory.write(0, in);
        memory.read(0, out, 0, out.length);
        return out[out.length - 1];
    }
}
