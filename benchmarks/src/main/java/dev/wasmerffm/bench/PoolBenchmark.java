package dev.wasmerffm.bench;

import dev.wasmerffm.Engine;
import dev.wasmerffm.benchmodules.Adder;
import dev.wasmerffm.cache.ModuleCache;
import dev.wasmerffm.pool.ModuleLimits;
import dev.wasmerffm.pool.WasmInstancePool;
import dev.wasmerffm.pool.WasmModules;
import dev.wasmerffm.pool.WasmerObserver;
import dev.wasmerffm.spring.boot.interop.WasmModuleInterfaces;
import dev.wasmerffm.spring.boot.metrics.WasmerMeterObserver;
import dev.wasmerffm.spring.boot.observation.WasmerObservationObserver;
import io.micrometer.core.instrument.observation.DefaultMeterObservationHandler;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
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

/**
 * A call through the binding's instance pool (built in plain Java), without observers and with the starter's, wired
 * as Boot wires them (the {@code wasmer.call} observation with Micrometer's meter handler deriving its timer, and the
 * trap counters: the instrumentation cost), and the same call through the starter's {@code @WasmModule} interface
 * (the proxy's cost).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class PoolBenchmark {

    @Param({"off", "micrometer"})
    public String timing;

    Engine engine;
    ModuleCache cache;
    WasmInstancePool pool;
    Adder adder;

    @Setup(Level.Trial)
    public void setUp() {
        engine = new Engine();
        cache = new ModuleCache(engine);
        WasmerObserver observer = timing.equals("off") ? WasmerObserver.NONE : micrometer();
        WasmModules modules = addModule(cache, observer);
        pool = pool(modules, observer);
        adder = WasmModuleInterfaces.create(Adder.class, modules, pool);
        if (adder.add(2, 3) != 5) {
            throw new IllegalStateException("the interface computes a wrong sum");
        }
    }

    /** The starter's observers as Boot's actuator wires them, over a simple registry. */
    static WasmerObserver micrometer() {
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        ObservationRegistry observations = ObservationRegistry.create();
        observations.observationConfig().observationHandler(new DefaultMeterObservationHandler(meters));
        return WasmerObserver.of(
                List.of(new WasmerObservationObserver(observations, null), new WasmerMeterObserver(meters)));
    }

    /** A registry of one module, {@code add}, registered in plain Java. */
    static WasmModules addModule(ModuleCache cache, WasmerObserver observer) {
        byte[] add = "(module (func (export \"add\") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add))"
                .getBytes(StandardCharsets.UTF_8);
        return WasmModules.builder(cache)
                .observer(observer)
                .module("add.wat", "add", add)
                .build();
    }

    /** The pool measured here: two instances per module, reused until they trap. */
    static WasmInstancePool pool(WasmModules modules, WasmerObserver observer) {
        return WasmInstancePool.builder(modules)
                .limits(new ModuleLimits(0, Duration.ZERO, -1, 2))
                .borrowTimeout(Duration.ofSeconds(1))
                .maxCalls(Long.MAX_VALUE)
                .resetPointsPerCall(false)
                .reuse(WasmInstancePool.InstanceReuse.DISCARD_AFTER_TRAP)
                .observer(observer)
                .build();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        pool.close();
        cache.close();
        engine.close();
    }

    @Benchmark
    public Object pooledCall() {
        return pool.call("add", "add", 1, 2)[0];
    }

    @Benchmark
    public int interfaceCall() {
        return adder.add(1, 2);
    }

    /** Throughput on one thread, to compare with two (the pool's scaling). */
    @Benchmark
    @org.openjdk.jmh.annotations.Threads(1)
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    public Object throughput1Thread() {
        return pool.call("add", "add", 1, 2)[0];
    }

    /** Throughput on two threads. */
    @Benchmark
    @org.openjdk.jmh.annotations.Threads(2)
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    public Object throughput2Threads() {
        return pool.call("add", "add", 1, 2)[0];
    }

    /** Throughput on four threads: more callers than cores (and than the pool's two instances). */
    @Benchmark
    @org.openjdk.jmh.annotations.Threads(4)
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    public Object throughput4Threads() {
        return pool.call("add", "add", 1, 2)[0];
    }
}
