package dev.wasmerffm.bench;

import dev.wasmerffm.ArtifactKey;
import dev.wasmerffm.Backend;
import dev.wasmerffm.Config;
import dev.wasmerffm.Engine;
import dev.wasmerffm.Instance;
import dev.wasmerffm.Module;
import dev.wasmerffm.Store;
import dev.wasmerffm.Wasmer;
import java.util.concurrent.TimeUnit;
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

/** Compile a large module (cranelift, singlepass) vs deserialize it; instantiate; a create-call-close cycle. */
@State(Scope.Thread)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class LifecycleBenchmark {

    /** Functions in the large module (about 300 bytes each; 3 500 make a module of about 1 MB). */
    @Param("3500")
    public int functions;

    Engine cranelift;
    Engine singlepass;
    byte[] large;
    final ArtifactKey key = ArtifactKey.random();
    byte[] artifact;
    String identity;
    Module small;

    @Setup(Level.Trial)
    public void setUp() {
        cranelift = new Engine();
        singlepass = new Engine(new Config().backend(Backend.SINGLEPASS));
        large = Wasmer.wat2wasm(Kernels.large(functions));
        try (Module m = Module.compile(cranelift, large)) {
            artifact = m.serialize(key);
            identity = m.identity();
        }
        small = Module.compile(cranelift, Kernels.load("fib"));
        System.out.println("large module: " + large.length + " bytes, artifact " + artifact.length + " bytes");
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        small.close();
        cranelift.close();
        singlepass.close();
    }

    @Benchmark
    @BenchmarkMode(Mode.SingleShotTime)
    public Module compileCranelift() {
        try (Module m = Module.compile(cranelift, large)) {
            return m;
        }
    }

    @Benchmark
    @BenchmarkMode(Mode.SingleShotTime)
    public Module compileSinglepass() {
        try (Module m = Module.compile(singlepass, large)) {
            return m;
        }
    }

    @Benchmark
    @BenchmarkMode(Mode.SingleShotTime)
    public Module deserialize() {
        try (Module m = Module.deserialize(cranelift, artifact, key, identity)) {
            return m;
        }
    }

    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    public long createCallClose() {
        try (Store store = new Store(cranelift);
                Instance in = Instance.create(store, small)) {
            return in.func("run").asLongUnaryOperator().applyAsLong(10);
        }
    }
}
