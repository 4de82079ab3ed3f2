package dev.wasmerffm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntBinaryOperator;
import org.junit.jupiter.api.Test;

/** Call deadlines: the watchdog stops wasm through metering and host functions by interruption. */
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

    private static void assertStillWorks(Instance in) {
        assertThat(in.func("count").callWithTimeout(Duration.ofSeconds(10), 1000))
                .containsExactly(1000);
        assertThat(in.pointsExhausted()).isFalse();
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
}
