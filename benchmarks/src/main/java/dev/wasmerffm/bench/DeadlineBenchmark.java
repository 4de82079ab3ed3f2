package dev.wasmerffm.bench;

import dev.wasmerffm.Config;
import dev.wasmerffm.DeadlineExceededException;
import dev.wasmerffm.Func;
import java.time.Duration;
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
 * without a call timeout and in one with, and how late an endless loop stops after a 1 ms deadline.
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

    Loaded loaded;
    Loaded timed;
    IntBinaryOperator add;
    IntBinaryOperator addTimed;
    Func forever;
    int i;

    @Setup(Level.Trial)
    public void setUp() {
        Config config = new Config().deadlines(true);
        loaded = Loaded.of(config, WAT.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        add = loaded.instance().func("add").asIntBinaryOperator();
        forever = loaded.instance().func("forever");
        timed = Loaded.of(config, WAT.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        timed.store().callTimeout(Duration.ofSeconds(10));
        addTimed = timed.instance().func("add").asIntBinaryOperator();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        loaded.close();
        timed.close();
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

    /** An endless loop with a 1 ms deadline: the sample minus 1 ms is how late it stopped. */
    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    public Object stopEndlessLoop() {
        try {
            return forever.callWithTimeout(STOP_AFTER);
        } catch (DeadlineExceededException expected) {
            return expected;
        }
    }
}
