package dev.wasmerffm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntBinaryOperator;
import org.junit.jupiter.api.Test;

/**
 * Call deadlines: the watchdog stops wasm through metering and host functions by interruption; a call into another
 * store inherits the deadline, and the points a stopped guest used stay used.
 */
class DeadlineTest {

    static final String WAT = """
            (module (import "env" "f" (func $f))
              (func (export "spin") (loop br 0))
              (func (export "callf") call $f)
              (func (export "count") (param i32) (result i32) (local i32)
                (block (loop
                  (br_if 1 (i32.ge_u (local.get 1) (local.get 0)))
                  (local.set 1 (i32.add (local.get 1) (i32.const 1)))
                  (br 0)))
                local.get 1)
              (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1))))
            """;
    static final Duration SHORT = Duration.ofMillis(50);

    private static final Engine ENGINE = new Engine(new Config().deadlines(true));
    private static final Module MODULE = Module.compile(ENGINE, WAT);

    private static Instance instance(Store store, HostFunction f) {
        return Instance.create(
                store,
                MODULE,
                new Imports().define("env", "f", Func.host(store, FuncType.of(List.of(), List.of()), f)));
    }

    /** Counts to its argument in the global {@code n} (-1: for ever, in effect); each round costs the same. */
    static final String COUNTER = """
            (module (global $n (export "n") (mut i64) (i64.const 0))
              (func (export "run") (param i64)
                (loop (global.set $n (i64.add (global.get $n) (i64.const 1)))
                      (br_if 0 (i64.ne (global.get $n) (local.get 0))))))
            """;

    private static void assertStillWorks(Instance in) {
        assertThat(in.func("count").callWithTimeout(Duration.ofSeconds(10), 1000))
                .containsExactly(1000);
        assertThat(in.pointsExhausted()).isFalse();
    }

    /**
     * stopCalls racing a call as it starts (before, while and after it arms its deadline, an hour away): every call
     * ends within a second, as a deadline, and none starts afterwards; a host function in a stopped call is
     * interrupted. 200 rounds, the stop at a random moment in the first 2 ms.
     */
    @Test
    void stopCallsRacingACallThatStartsEndsItAndRefusesTheNext() throws Exception {
        Random random = new Random(7);
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            for (int round = 0; round < 200; round++) {
                try (Store store = new Store(MODULE).callTimeout(Duration.ofHours(1))) {
                    Instance in = instance(store, c -> {
                        try {
                            Thread.sleep(60_000);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    });
                    String export = round % 4 == 3 ? "callf" : "spin";
                    Future<?> call = pool.submit(() -> in.func(export).call());
                    long delay = random.nextLong(2_000_000);
                    long t0 = System.nanoTime();
                    while (System.nanoTime() - t0 < delay) {
                        Thread.onSpinWait();
                    }
                    store.stopCalls();
                    long stoppedAt = System.nanoTime();
                    assertThatThrownBy(() -> call.get(5, java.util.concurrent.TimeUnit.SECONDS))
                            .as("round %d", round)
                            .hasCauseInstanceOf(DeadlineExceededException.class);
                    assertThat(Duration.ofNanos(System.nanoTime() - stoppedAt)).isLessThan(Duration.ofSeconds(1));
                    assertThatThrownBy(() -> in.func("add").call(1, 2)).isInstanceOf(DeadlineExceededException.class);
                    assertThat(store.isClosed()).isFalse();
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void anEndlessLoopStopsAtItsDeadlineAndTheInstanceRunsOn() {
        try (Store store = new Store(MODULE)) {
            Instance in = instance(store, c -> {});
            long before = in.remainingPoints();
            long t0 = System.nanoTime();
            assertThatThrownBy(() -> in.func("spin").callWithTimeout(SHORT))
                    .isInstanceOfSatisfying(DeadlineExceededException.class, e -> {
                        assertThat(e.kind()).isEqualTo(TrapKind.DEADLINE_EXCEEDED);
                        assertThat(e.timeout()).isEqualTo(SHORT);
                        assertThat(e).hasMessageContaining("deadline of 50 ms exceeded");
                    });
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertThat(ms).isBetween(50L, 2_000L);
            // the points it had when stopped are given back: fewer than before, far from exhausted
            assertThat(in.remainingPoints()).isLessThan(before).isGreaterThan(before / 2);
            assertStillWorks(in);
            assertThat(in.func("add").call(40, 2)).containsExactly(42); // no deadline left behind
        }
    }

    @Test
    void anEndlessLoopInANestedWasmCallIsStopped() {
        try (Store store = new Store(MODULE)) {
            Instance spinner = instance(store, c -> {});
            Instance entry = Instance.create(store, MODULE, new Imports().define("env", "f", spinner.func("spin")));
            assertThatThrownBy(() -> entry.func("callf").callWithTimeout(SHORT))
                    .isInstanceOf(DeadlineExceededException.class);
            assertStillWorks(spinner);
            assertStillWorks(entry);
        }
    }

    @Test
    void aSleepingHostFunctionIsInterruptedAndItsWasmCallerStops() {
        try (Store store = new Store(MODULE)) {
            Instance in = instance(store, c -> Thread.sleep(60_000));
            long t0 = System.nanoTime();
            assertThatThrownBy(() -> in.func("callf").callWithTimeout(SHORT))
                    .isInstanceOfSatisfying(DeadlineExceededException.class, e -> assertThat(e.getCause())
                            .isInstanceOf(InterruptedException.class));
            assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(2_000L);
            assertThat(Thread.currentThread().isInterrupted()).isFalse();
            assertStillWorks(in);
        }
    }

    @Test
    void aHostFunctionIgnoringTheInterruptIsStoppedByItsWasmCaller() {
        // the host function swallows the interrupt and returns: its caller then traps at its next metering check
        String wat = """
                (module (import "env" "f" (func $f))
                  (func (export "loop") (loop call $f br 0)))
                """;
        try (Module m = Module.compile(ENGINE, wat);
                Store store = new Store(m)) {
            Instance in = Instance.create(
                    store,
                    m,
                    new Imports()
                            .define(
                                    "env",
                                    "f",
                                    Func.host(store, FuncType.of(List.of(), List.of()), c -> Thread.interrupted())));
            assertThatThrownBy(() -> in.func("loop").callWithTimeout(SHORT))
                    .isInstanceOf(DeadlineExceededException.class);
            assertThat(Thread.currentThread().isInterrupted()).isFalse();
        }
    }

    @Test
    void theStoreCallTimeoutAppliesToTypedAdapters() {
        try (Store store = new Store(MODULE)) {
            Instance in = instance(store, c -> {});
            Runnable spin = in.func("spin").asRunnable();
            IntBinaryOperator add = in.func("add").asIntBinaryOperator();
            store.callTimeout(SHORT);
            assertThat(store.callTimeout()).isEqualTo(SHORT);
            assertThatThrownBy(spin::run).isInstanceOf(DeadlineExceededException.class);
            assertThat(add.applyAsInt(40, 2)).isEqualTo(42);
            store.callTimeout(Duration.ZERO);
            assertThat(add.applyAsInt(1, 2)).isEqualTo(3);
        }
    }

    @Test
    void aDeadlinePassingAsTheCallReturnsLeavesNoTrace() {
        try (Store store = new Store(MODULE)) {
            Instance in = instance(store, c -> {});
            Func count = in.func("count");
            Duration tiny = Duration.ofNanos(20_000);
            int stopped = 0;
            int rounds = Scale.of(10_000, 100_000);
            for (int i = 0; i < rounds; i++) {
                // 1 to 2^19 loop rounds (up to ~0.5 ms) against a 20 µs deadline: whatever the watchdog's latency,
                // the small calls finish, the large ones are stopped, and those in between race it
                try {
                    int n = 1 << (i % 20);
                    assertThat(count.callWithTimeout(tiny, n)).containsExactly(n);
                } catch (DeadlineExceededException e) {
                    stopped++;
                }
                assertThat(count.call(3)).containsExactly(3); // no stray stop, points intact
            }
            assertThat(Thread.currentThread().isInterrupted()).isFalse();
            assertThat(stopped).isBetween(1, rounds - 1);
            assertStillWorks(in);
        }
    }

    @Test
    void deadlinesOnEightThreadsAtOnce() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> runs = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int n = t;
                runs.add(pool.submit(() -> {
                    try (Store store = new Store(MODULE)) {
                        Instance in = instance(store, c -> Thread.sleep(60_000));
                        for (int r = 0; r < 5; r++) {
                            String export = (n + r) % 2 == 0 ? "spin" : "callf";
                            assertThatThrownBy(() -> in.func(export).callWithTimeout(Duration.ofMillis(20 + n)))
                                    .isInstanceOf(DeadlineExceededException.class);
                            assertThat(in.func("count").callWithTimeout(Duration.ofSeconds(10), 100))
                                    .containsExactly(100);
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : runs) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aDeadlineOnAnUnmeteredModuleIsRefusedNamingTheFix() {
        try (Engine engine = new Engine();
                Module m = Module.compile(engine, "(module (func (export \"f\")))");
                Store store = new Store(engine)) {
            Instance in = Instance.create(store, m);
            assertThatThrownBy(() -> in.func("f").callWithTimeout(SHORT))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("Config().deadlines(true)");
            assertThat(in.func("f").call()).isEmpty();
        }
        assertThat(MODULE.isMetered()).isTrue();
        assertThat(new Config().deadlines(true).metering().initialPoints()).isEqualTo(Long.MAX_VALUE);
        assertThat(new Config().deadlines()).isFalse();
    }

    @Test
    void aDeadlineStopsAnotherStoresWasmCalledFromAHostFunction() {
        try (Store other = new Store(MODULE);
                Store store = new Store(MODULE)) {
            other.callTimeout(Duration.ofSeconds(30)); // its own deadline, later: the earlier one wins
            Instance looping = instance(other, c -> {});
            Func count = looping.func("count");
            Instance in = instance(store, c -> count.call(1_000_000_000)); // seconds of metered looping
            long t0 = System.nanoTime();
            assertThatThrownBy(() -> in.func("callf").callWithTimeout(SHORT))
                    .isInstanceOfSatisfying(DeadlineExceededException.class, e -> {
                        assertThat(e.timeout()).isEqualTo(SHORT);
                        assertThat(e.getCause())
                                .as("the other store's call, stopped under the inherited deadline")
                                .isInstanceOfSatisfying(
                                        DeadlineExceededException.class,
                                        inner -> assertThat(inner.timeout()).isEqualTo(SHORT));
                    });
            assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(2_000L);
            assertThat(Thread.currentThread().isInterrupted()).isFalse();
            assertStillWorks(looping);
            assertStillWorks(in);
        }
    }

    @Test
    void wasmThatADeadlineCannotStopIsRefusedUnderOne() {
        try (Engine plain = new Engine();
                Module unmeteredModule = Module.compile(plain, WAT);
                Store unmetered = new Store(plain);
                Store store = new Store(MODULE)) {
            Func noop = Func.host(unmetered, FuncType.of(List.of(), List.of()), c -> {});
            Func count = Instance.create(unmetered, unmeteredModule, noop).func("count");
            // from a metered store's host function: the inherited deadline could not stop it
            Instance in = instance(store, c -> count.call(1_000_000));
            assertThatThrownBy(() -> in.func("callf").callWithTimeout(Duration.ofSeconds(10)))
                    .isInstanceOf(TrapException.class)
                    .cause()
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("cannot stop it")
                    .hasMessageContaining("Config().deadlines(true)");
            assertThat(in.func("callf").call()).isEmpty(); // without a deadline it runs
            // from a host function called directly with a deadline, in the unmetered store itself
            Func direct = Func.host(unmetered, FuncType.of(List.of(), List.of()), c -> count.call(1_000_000));
            assertThatThrownBy(() -> direct.callWithTimeout(Duration.ofSeconds(10)))
                    .isInstanceOf(TrapException.class)
                    .cause()
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("metered");
            assertThat(direct.call()).isEmpty();
        }
    }

    /** Its start function counts the global {@code n} to 1000. */
    static final String STARTS = """
            (module (global $n (export "n") (mut i32) (i32.const 0))
              (func $start (loop (global.set $n (i32.add (global.get $n) (i32.const 1)))
                                 (br_if 0 (i32.lt_u (global.get $n) (i32.const 1000)))))
              (start $start))
            """;

    @Test
    void aStartFunctionIsRefusedUnderARunningDeadlineAndBoundedByTheBudgetOutsideOne() {
        try (Module starts = Module.compile(ENGINE, STARTS);
                Store store = new Store(MODULE);
                Store other = new Store(starts)) {
            java.util.concurrent.atomic.AtomicReference<Instance> made =
                    new java.util.concurrent.atomic.AtomicReference<>();
            Instance in = instance(store, c -> made.set(Instance.create(other, starts)));
            // libwasmer runs it while making the instance, where the watchdog cannot reach its points
            assertThatThrownBy(() -> in.func("callf").callWithTimeout(Duration.ofSeconds(10)))
                    .isInstanceOf(TrapException.class)
                    .cause()
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("has a start function, which the deadline of the running call cannot stop");
            assertThat(made.get()).isNull();
            in.func("callf").call(); // without a deadline it is made, and its start function ran
            assertThat(made.get().global("n").get()).isEqualTo(1000);
            // a call timeout is no call's deadline yet: the start function runs
            other.callTimeout(SHORT);
            assertThat(Instance.create(other, starts).global("n").get()).isEqualTo(1000);
            // a module read back from an artifact knows it has a start function too
            ArtifactKey key = ArtifactKey.random();
            try (Module back = Module.deserialize(ENGINE, starts.serialize(key), key, starts.identity());
                    Store third = new Store(back)) {
                Instance again = instance(store, c -> Instance.create(third, back));
                assertThatThrownBy(() -> again.func("callf").callWithTimeout(Duration.ofSeconds(10)))
                        .isInstanceOf(TrapException.class)
                        .cause()
                        .hasMessageContaining("has a start function");
            }
        }
        // what bounds an endless start function is the engine's metering budget
        try (Engine budgeted = new Engine(new Config().metering(Metering.of(1_000_000)));
                Module endless = Module.compile(budgeted, "(module (func $s (loop br 0)) (start $s))");
                Store store = new Store(endless)) {
            store.callTimeout(SHORT);
            assertThatThrownBy(() -> Instance.create(store, endless)).isInstanceOf(TrapException.class);
        }
    }

    @Test
    void aHostFunctionCalledDirectlyEndsAtItsDeadlineWhileTheWatchdogIdles() {
        try (Engine plain = new Engine();
                Store store = new Store(plain)) {
            Func deaf = Func.host(store, FuncType.of(List.of(), List.of(ValType.I32)), c -> {
                long end = System.nanoTime() + 1_000_000_000L;
                while (System.nanoTime() - end < 0) {
                    Thread.interrupted(); // deaf to the watchdog's interrupt: nothing can stop this Java code
                }
                c.result(0, 7);
            });
            long cpu = WatchdogCpu.nanos();
            long t0 = System.nanoTime();
            assertThatThrownBy(() -> deaf.callWithTimeout(SHORT))
                    .as("its result is not returned past the deadline")
                    .isInstanceOfSatisfying(DeadlineExceededException.class, e -> assertThat(e.timeout())
                            .isEqualTo(SHORT));
            long wall = System.nanoTime() - t0;
            cpu = WatchdogCpu.nanos() - cpu;
            assertThat(cpu)
                    .as("watchdog CPU %d ms over %d ms", cpu / 1_000_000, wall / 1_000_000)
                    .isLessThan(wall / 100);
            assertThat(Thread.currentThread().isInterrupted()).isFalse();
            store.callTimeout(Duration.ZERO);
            assertThat(deaf.call()).containsExactly(7);
        }
    }

    /** The points a guest stopped by its deadline used, by its own count: what the instance was charged, or more. */
    @Test
    void aDeadlineGivesBackNoPointsTheGuestUsed() {
        try (Engine engine = new Engine(new Config().metering(Metering.of(1L << 60)));
                Module m = Module.compile(engine, COUNTER);
                Store store = new Store(m)) {
            Instance in = Instance.create(store, m);
            long[] cost = calibrate(in);
            long largest = 0;
            for (int round = 0; round < 20; round++) {
                long points = 1L << 60;
                in.global("n").set(0L);
                in.remainingPoints(points);
                assertThatThrownBy(() -> in.func("run").callWithTimeout(Duration.ofMillis(2), -1L))
                        .isInstanceOf(DeadlineExceededException.class);
                long rounds = (Long) in.global("n").get();
                long charged = points - in.remainingPoints();
                long used = cost[0] + rounds * cost[1];
                assertThat(charged)
                        .as("round %d: %d loop rounds use %d points, charged %d", round, rounds, used, charged)
                        .isLessThanOrEqualTo(used + cost[1]);
                largest = Math.max(largest, used - charged);
            }
            // at most what the guest ran between the watchdog's read and its write (measured: a median of 10, at most
            // 7 970 points over 1 000 stops at load 20, a few hundred loop rounds); before: milliseconds' worth
            assertThat(largest).as("most points given back").isLessThan(1_000_000);
        }
    }

    /**
     * The points {@code run(k)} costs: {@code [fixed, per loop round]}, from two runs (the instance's points are set
     * to a large budget for each).
     */
    private static long[] calibrate(Instance in) {
        long[] used = new long[2];
        for (int i = 0; i < 2; i++) {
            in.global("n").set(0L);
            in.remainingPoints(1L << 60);
            in.func("run").call(1000L * (i + 1));
            used[i] = (1L << 60) - in.remainingPoints();
        }
        long perRound = (used[1] - used[0]) / 1000;
        return new long[] {used[0] - 1000 * perRound, perRound};
    }

    @Test
    void exhaustionRacingADeadlineIsReportedAsExhaustion() {
        try (Engine engine = new Engine(new Config().metering(Metering.of(1L << 60)));
                Module m = Module.compile(engine, COUNTER);
                Store store = new Store(m)) {
            Instance in = Instance.create(store, m);
            long[] cost = calibrate(in);
            // loop rounds per millisecond, so that budgets run out about when a 1 ms deadline passes
            in.global("n").set(0L);
            in.remainingPoints(1L << 60);
            assertThatThrownBy(() -> in.func("run").callWithTimeout(Duration.ofMillis(20), -1L))
                    .isInstanceOf(DeadlineExceededException.class);
            long perMs = Math.max(1, (Long) in.global("n").get() / 20);
            Random random = new Random(28);
            int exhausted = 0;
            int stopped = 0;
            int calls = Scale.of(600, 6_000);
            for (int i = 0; i < calls; i++) {
                long budget = cost[0] + cost[1] * (long) (perMs * random.nextDouble() * 2);
                in.global("n").set(0L);
                in.remainingPoints(budget);
                try {
                    in.func("run").callWithTimeout(Duration.ofMillis(1), -1L);
                } catch (MeteringExhaustedException e) {
                    exhausted++;
                    assertThat(in.pointsExhausted()).isTrue();
                } catch (DeadlineExceededException e) {
                    stopped++;
                    assertThat(in.pointsExhausted())
                            .as("call %d: a deadline with the points exhausted", i)
                            .isFalse();
                    assertThat(in.remainingPoints())
                            .as("call %d: stopped with points left", i)
                            .isPositive();
                }
                long rounds = (Long) in.global("n").get();
                assertThat(cost[0] + rounds * cost[1])
                        .as("call %d: the guest ran past its budget", i)
                        .isLessThanOrEqualTo(budget + cost[1]);
            }
            assertThat(exhausted).isPositive();
            assertThat(stopped).isPositive();
        }
    }
}
