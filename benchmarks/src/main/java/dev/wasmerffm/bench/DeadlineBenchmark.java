package dev.wasmerffm.bench;

import dev.wasmerffm.Config;
import dev.wasmerffm.DeadlineExceededException;
import dev.wasmerffm.Engine;
import dev.wasmerffm.Func;
import dev.wasmerffm.FuncType;
import dev.wasmerffm.HostFunction;
import dev.wasmerffm.Instance;
import dev.wasmerffm.Module;
import dev.wasmerffm.Store;
import dev.wasmerffm.TrapException;
import dev.wasmerffm.wasi.WasiConfig;
import dev.wasmerffm.wasi.WasiEnv;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.IntBinaryOperator;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * What deadlines cost: the typed {@code add} of a module compiled with {@link Config#deadlines(boolean)}, in a store
 * without a call timeout and in one with; and how late a 1 ms deadline stops an endless loop, an endless loop in
 * another store called from a host function, a guest sleeping in WASI's poll_oneoff, and a host function blocked
 * in {@link Thread#sleep}.
 */
@State(Scope.Thread)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class DeadlineBenchmark {

    static final String WAT = """
            (module
              (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add)
              (func (export "forever") (loop br 0)))
            """;
    static final Duration STOP_AFTER = Duration.ofMillis(1);

    /** A guest calling its import {@code env.f}. */
    static final String CALLER = "(module (import \"env\" \"f\" (func $f)) (func (export \"callf\") call $f))";

    /** A guest sleeping 10 s in poll_oneoff (one relative monotonic clock). */
    static final String WASI_SLEEP = """
            (module
              (import "wasi_snapshot_preview1" "poll_oneoff" (func $poll (param i32 i32 i32 i32) (result i32)))
              (memory (export "memory") 1)
              (func (export "sleep")
                (i64.store (i32.const 100) (i64.const 1))
                (i32.store8 (i32.const 108) (i32.const 0))
                (i32.store (i32.const 116) (i32.const 1))
                (i64.store (i32.const 124) (i64.const 10000000000))
                (drop (call $poll (i32.const 100) (i32.const 300) (i32.const 1) (i32.const 400)))))
            """;

    Loaded loaded;
    Loaded timed;
    IntBinaryOperator add;
    IntBinaryOperator addTimed;
    Func forever;
    Engine engine;
    Module callerModule;
    Module sleepModule;
    Store callerStore;
    Store sleeperStore;
    Store wasiStore;
    Func otherStoreLoop;
    Func blockingHost;
    Func wasiSleep;
    int i;

    @Setup(Level.Trial)
    public void setUp() {
        Config config = new Config().deadlines(true);
        loaded = Loaded.of(config, WAT.getBytes(StandardCharsets.UTF_8));
        add = loaded.instance().func("add").asIntBinaryOperator();
        forever = loaded.instance().func("forever");
        timed = Loaded.of(config, WAT.getBytes(StandardCharsets.UTF_8));
        timed.store().callTimeout(Duration.ofSeconds(10));
        addTimed = timed.instance().func("add").asIntBinaryOperator();
        engine = new Engine(config);
        callerModule = Module.compile(engine, CALLER);
        callerStore = new Store(callerModule);
        otherStoreLoop = calling(callerStore, c -> forever.call()); // the loop of another store
        sleeperStore = new Store(callerModule);
        blockingHost = calling(sleeperStore, c -> Thread.sleep(10_000));
        sleepModule = Module.compile(engine, WASI_SLEEP);
        wasiStore = new Store(sleepModule);
        WasiEnv env = WasiEnv.create(wasiStore, new WasiConfig("sleep")); // closed with its store
        wasiSleep = env.instantiate(sleepModule).func("sleep");
    }

    /** {@link #CALLER}'s {@code callf} in {@code store}, with {@code f} as its import. */
    private Func calling(Store store, HostFunction f) {
        Func host = Func.host(store, FuncType.of(List.of(), List.of()), f);
        return Instance.create(store, callerModule, host).func("callf");
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        loaded.close();
        timed.close();
        callerStore.close();
        sleeperStore.close();
        wasiStore.close();
        callerModule.close();
        sleepModule.close();
        engine.close();
    }

    /** The baseline of {@link #addWithDeadline}: the same metered module, no deadline. */
    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    public int addNoDeadline() {
        return add.applyAsInt(i++, 2);
    }

    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    public int addWithDeadline() {
        return addTimed.applyAsInt(i++, 2);
    }

    /** An endless metered loop with a 1 ms deadline: the sample minus 1 ms is how late it stopped. */
    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    public Object stopEndlessLoop() {
        return stop(forever);
    }

    /** A host function calling another store's endless loop, which inherits the 1 ms deadline. */
    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    public Object stopOtherStoreLoop() {
        return stop(otherStoreLoop);
    }

    /** A guest sleeping 10 s in WASI's poll_oneoff under a 1 ms deadline. */
    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    public Object stopSleepingWasiCall() {
        return stop(wasiSleep);
    }

    /** A host function sleeping 10 s under a 1 ms deadline. */
    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    public Object stopBlockingHostFunction() {
        return stop(blockingHost);
    }

    private static Object stop(Func f) {
        try {
            f.callWithTimeout(STOP_AFTER);
            throw new IllegalStateException(f + " returned past its deadline");
        } catch (DeadlineExceededException expected) {
            return expected;
        } catch (TrapException e) {
            throw new IllegalStateException(f + " trapped otherwise", e);
        }
    }
}
