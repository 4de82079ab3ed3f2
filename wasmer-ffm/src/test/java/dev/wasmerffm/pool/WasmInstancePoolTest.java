package dev.wasmerffm.pool;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wasmerffm.Config;
import dev.wasmerffm.DeadlineExceededException;
import dev.wasmerffm.Engine;
import dev.wasmerffm.Func;
import dev.wasmerffm.FuncType;
import dev.wasmerffm.Imports;
import dev.wasmerffm.Instance;
import dev.wasmerffm.Metering;
import dev.wasmerffm.MeteringExhaustedException;
import dev.wasmerffm.TrapException;
import dev.wasmerffm.ValType;
import dev.wasmerffm.WasmerException;
import dev.wasmerffm.cache.ModuleCache;
import dev.wasmerffm.wasi.WasiConfig;
import dev.wasmerffm.wasi.WasiExit;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The instance pool on the real libwasmer, in plain Java: leases, limits, recycling, runtime replacement, hooks. */
class WasmInstancePoolTest {

    static final String ADD =
            "(module (func (export \"add\") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add))";
    /** A counter kept in a global (state that lives as long as its instance), and a trap. */
    static final String COUNTER = """
            (module
              (memory (export "memory") 1)
              (global $n (mut i32) (i32.const 0))
              (func (export "next") (result i32)
                (global.set $n (i32.add (global.get $n) (i32.const 1)))
                global.get $n)
              (func (export "trap") unreachable))
            """;
    /** An endless loop, and bounded work whose metering cost grows with n. */
    static final String SPIN = """
            (module
              (func (export "spin") (loop br 0))
              (func (export "count") (param $n i64)
                (loop $l
                  (local.set $n (i64.sub (local.get $n) (i64.const 1)))
                  (br_if $l (i64.gt_s (local.get $n) (i64.const 0))))))
            """;
    /** What a WASI instance was given: argc (with the program name) and the number of environment variables. */
    static final String WASI_INFO = """
            (module
              (import "wasi_snapshot_preview1" "args_sizes_get" (func $args (param i32 i32) (result i32)))
              (import "wasi_snapshot_preview1" "environ_sizes_get" (func $env (param i32 i32) (result i32)))
              (memory (export "memory") 1)
              (func (export "argc") (result i32) (drop (call $args (i32.const 0) (i32.const 4))) (i32.load (i32.const 0)))
              (func (export "envc") (result i32) (drop (call $env (i32.const 0) (i32.const 4))) (i32.load (i32.const 0))))
            """;

    Engine engine;
    ModuleCache cache;
    WasmModules modules;

    static byte[] bytes(String wat) {
        return wat.getBytes(UTF_8);
    }

    static byte[] version(int v) {
        return bytes("(module (func (export \"version\") (result i32) i32.const " + v + "))");
    }

    static ModuleLimits size(int poolSize) {
        return new ModuleLimits(0, Duration.ZERO, -1, poolSize);
    }

    @BeforeEach
    void setUp() {
        engine = new Engine();
        cache = new ModuleCache(engine);
        modules = WasmModules.builder(cache)
                .module("add.wat", "add", bytes(ADD))
                .module("counter.wat", "counter", bytes(COUNTER))
                .build();
    }

    @AfterEach
    void tearDown() {
        modules.close();
        cache.close();
        engine.close();
    }

    @Test
    void aLeaseLendsAnInstanceAndItsReturnKeepsItForTheNextBorrower() {
        try (WasmInstancePool pool =
                WasmInstancePool.builder(modules).limits(size(2)).build()) {
            Instance first;
            try (WasmInstancePool.Lease lease = pool.borrow("counter")) {
                first = lease.instance();
                assertThat(first.func("next").call()).containsExactly(1);
                assertThat(lease.wasi()).as("not a WASI module").isNull();
                WasmInstancePool.Stats lent = pool.stats().get("counter");
                assertThat(List.of(lent.created(), lent.inUse(), lent.idle())).containsExactly(1, 1, 0);
                lease.close();
                lease.close(); // a second close gives nothing back twice
                assertThatThrownBy(lease::instance)
                        .isInstanceOf(IllegalStateException.class)
                        .hasMessage("lease already returned");
            }
            WasmInstancePool.Stats back = pool.stats().get("counter");
            assertThat(List.of(back.created(), back.inUse(), back.idle())).containsExactly(1, 0, 1);
            try (WasmInstancePool.Lease again = pool.borrow("counter")) {
                assertThat(again.instance())
                        .as("this thread's own instance, again")
                        .isSameAs(first);
                assertThat(again.instance().func("next").call())
                        .as("its state kept")
                        .containsExactly(2);
            }
            assertThat(pool.call("add", "add", 2, 3)).containsExactly(5);
            Object sum = pool.call("add", "add", i -> i.func("add").call(4, 5)[0]);
            assertThat(sum).isEqualTo(9);
            assertThat(pool.stats()).containsOnlyKeys("add", "counter");
            assertThat(pool.limits("add")).isEqualTo(size(2));
        }
    }

    @Test
    void thePoolMakesAtMostItsSizeAndABorrowerWaitsUntilTheBorrowTimeout() throws Exception {
        try (WasmInstancePool pool = WasmInstancePool.builder(modules)
                .limits(size(1))
                .borrowTimeout(Duration.ofMillis(200))
                .build()) {
            try (WasmInstancePool.Lease held = pool.borrow("add")) {
                long t0 = System.nanoTime();
                assertThatThrownBy(() -> pool.borrow("add"))
                        .isInstanceOfSatisfying(PoolExhaustedException.class, e -> {
                            assertThat(e.module()).isEqualTo("add");
                            assertThat(e.waited()).isEqualTo(Duration.ofMillis(200));
                            assertThat(e.poolSize()).isEqualTo(1);
                        })
                        .hasMessage("no instance of module 'add' free within 200 ms (pool size 1, all in use)");
                assertThat((System.nanoTime() - t0) / 1_000_000).isGreaterThanOrEqualTo(190);
                Thread.currentThread().interrupt();
                assertThatThrownBy(() -> pool.borrow("add"))
                        .isInstanceOf(WasmerException.class)
                        .hasMessage("interrupted waiting for an instance of add")
                        .hasCauseInstanceOf(InterruptedException.class);
                assertThat(Thread.interrupted()).as("the interrupt kept").isTrue();
                assertThat(pool.stats().get("add").created()).isEqualTo(1);
            }
        }
        try (WasmInstancePool pool = WasmInstancePool.builder(modules)
                        .limits(size(1))
                        .borrowTimeout(Duration.ofSeconds(30))
                        .build();
                ExecutorService other = Executors.newSingleThreadExecutor()) {
            WasmInstancePool.Lease held = pool.borrow("add");
            Future<Object[]> waiting = other.submit(() -> pool.call("add", "add", 1, 2));
            Thread.sleep(100);
            assertThat(waiting).isNotDone();
            held.close();
            assertThat(waiting.get()).as("given the returned instance").containsExactly(3);
            assertThat(pool.stats().get("add").created()).isEqualTo(1);
        }
    }

    @Test
    void anInstanceIsReplacedInANewStoreAfterMaxCalls() {
        try (WasmInstancePool pool =
                WasmInstancePool.builder(modules).limits(size(1)).maxCalls(3).build()) {
            Instance first;
            try (WasmInstancePool.Lease lease = pool.borrow("counter")) {
                first = lease.instance();
            }
            assertThat(pool.call("counter", "next")).containsExactly(1);
            assertThat(pool.call("counter", "next")).containsExactly(2);
            assertThat(first.isClosed())
                    .as("closed with its store after its third lease")
                    .isTrue();
            assertThat(pool.call("counter", "next")).as("a new instance").containsExactly(1);
            assertThat(pool.stats().get("counter").recycled()).isEqualTo(1);
            assertThat(pool.stats().get("counter").created()).isEqualTo(1);
        }
        assertThatThrownBy(() -> WasmInstancePool.builder(modules).maxCalls(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxCalls must be >= 1, got 0");
    }

    @Test
    void whatIsDoneWithAnInstanceAfterACallIsTheReuseSetting() {
        try (WasmInstancePool pool = WasmInstancePool.builder(modules)
                .limits(size(1))
                .reuse(WasmInstancePool.InstanceReuse.REUSE)
                .build()) {
            assertThat(pool.call("counter", "next")).containsExactly(1);
            assertThatThrownBy(() -> pool.call("counter", "trap")).isInstanceOf(TrapException.class);
            assertThat(pool.call("counter", "next")).as("kept after a trap").containsExactly(2);
            assertThatThrownBy(() -> pool.call("counter", "next", i -> {
                        i.func("next").call();
                        throw new AssertionError("an Error in the body");
                    }))
                    .isInstanceOf(AssertionError.class);
            assertThat(pool.call("counter", "next"))
                    .as("replaced after an Error")
                    .containsExactly(1);
            try (WasmInstancePool.Lease lease = pool.borrow("counter")) {
                lease.discard();
            }
            assertThat(pool.call("counter", "next"))
                    .as("replaced when discarded")
                    .containsExactly(1);
            assertThat(pool.stats().get("counter").recycled()).isEqualTo(2);
        }
        try (WasmInstancePool pool =
                WasmInstancePool.builder(modules).limits(size(1)).build()) {
            assertThat(pool.call("counter", "next")).containsExactly(1);
            assertThatThrownBy(() -> pool.call("counter", "trap")).isInstanceOf(TrapException.class);
            assertThat(pool.call("counter", "next"))
                    .as("replaced after a trap by default")
                    .containsExactly(1);
            assertThatThrownBy(() -> pool.call("counter", "absent"))
                    .as("not a trap: the instance stays")
                    .isInstanceOf(RuntimeException.class)
                    .isNotInstanceOf(TrapException.class);
            assertThat(pool.call("counter", "next")).containsExactly(2);
            assertThat(pool.stats().get("counter").recycled()).isEqualTo(1);
        }
        try (WasmInstancePool pool = WasmInstancePool.builder(modules)
                .limits(size(1))
                .reuse(WasmInstancePool.InstanceReuse.FRESH_PER_CALL)
                .build()) {
            assertThat(pool.call("counter", "next")).containsExactly(1);
            assertThat(pool.call("counter", "next"))
                    .as("a new instance every call")
                    .containsExactly(1);
            assertThat(pool.stats().get("counter").recycled()).isEqualTo(2);
        }
    }

    @Test
    void replacingAModuleRetiresItsInstancesAndRemovingItEndsItsCalls() {
        modules.register("plugin", version(1));
        try (WasmInstancePool pool =
                WasmInstancePool.builder(modules).limits(size(2)).build()) {
            WasmInstancePool.Lease lent = pool.borrow("plugin");
            Instance old = lent.instance();
            Instance idle;
            try (WasmInstancePool.Lease other = pool.borrow("plugin")) {
                idle = other.instance();
            }
            modules.register("plugin", version(2));
            assertThat(idle.isClosed())
                    .as("an idle instance of the old version closes at once")
                    .isTrue();
            assertThat(old.isClosed()).as("a lent one serves its lease out").isFalse();
            assertThat(pool.call("plugin", "version")).containsExactly(2);
            assertThat(old.func("version").call()).containsExactly(1);
            lent.close();
            assertThat(old.isClosed()).as("closed when returned").isTrue();
            assertThat(pool.stats().get("plugin").created())
                    .as("the new version's only")
                    .isEqualTo(1);
            assertThat(modules.remove("plugin")).isTrue();
            assertThat(pool.stats()).doesNotContainKey("plugin");
            assertThatThrownBy(() -> pool.call("plugin", "version"))
                    .isInstanceOf(UnknownModuleException.class)
                    .hasMessageContaining("no WebAssembly module named 'plugin'");
        }
    }

    /** Calls {@code version} on a thread of its own, which the caller can watch wait. */
    static java.util.concurrent.CompletableFuture<Object> callOnAThread(WasmInstancePool pool, List<Thread> started) {
        java.util.concurrent.CompletableFuture<Object> result = new java.util.concurrent.CompletableFuture<>();
        started.add(Thread.ofPlatform().start(() -> {
            try {
                result.complete(pool.call("plugin", "version")[0]);
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        }));
        return result;
    }

    @Test
    void aBorrowerWaitingWhenItsModuleIsReplacedOrRemovedMovesOnAtOnce() throws Exception {
        modules.register("plugin", version(1));
        try (WasmInstancePool pool = WasmInstancePool.builder(modules)
                .limits(size(1))
                .borrowTimeout(Duration.ofSeconds(60))
                .build()) {
            List<Thread> waiters = new ArrayList<>();
            WasmInstancePool.Lease held = pool.borrow("plugin");
            var replaced = callOnAThread(pool, waiters);
            await(() -> waiters.getFirst().getState() == Thread.State.TIMED_WAITING); // for the one instance
            modules.register("plugin", version(2));
            // the waiter borrows the new version, without waiting for the old one's instance to come back
            assertThat(replaced.get(10, TimeUnit.SECONDS)).isEqualTo(2);
            held.close();
            held = pool.borrow("plugin");
            var removed = callOnAThread(pool, waiters);
            await(() -> waiters.getLast().getState() == Thread.State.TIMED_WAITING);
            assertThat(modules.remove("plugin")).isTrue();
            assertThatThrownBy(() -> removed.get(10, TimeUnit.SECONDS))
                    .hasCauseInstanceOf(UnknownModuleException.class); // not a PoolExhaustedException a minute later
            held.close();
        }
    }

    @Test
    void registerReplaceAndRemoveUnderConcurrentCalls() throws Exception {
        modules.register("plugin", version(1));
        try (WasmInstancePool pool =
                        WasmInstancePool.builder(modules).limits(size(4)).build();
                ExecutorService threads = Executors.newFixedThreadPool(4)) {
            AtomicLong calls = new AtomicLong();
            AtomicIntegerArray seen = new AtomicIntegerArray(4); // the last version each thread saw
            AtomicBoolean stop = new AtomicBoolean(); // ends the callers when the test fails, so closing cannot hang
            List<Future<String>> problems = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int thread = t;
                problems.add(threads.submit(() -> {
                    int last = 0;
                    while (!stop.get()) {
                        int v;
                        try {
                            v = (Integer) pool.call("plugin", "version")[0];
                        } catch (UnknownModuleException removed) {
                            return last == 5 ? null : "removed before version 5 was seen, at " + last;
                        }
                        calls.incrementAndGet();
                        if (v < last || v < 1 || v > 5) { // versions only move forward, each one whole
                            return "version " + v + " after " + last;
                        }
                        last = v;
                        seen.set(thread, v);
                    }
                    return "still calling version " + last + " when the test gave up";
                }));
            }
            try {
                for (int v = 2; v <= 5; v++) {
                    long before = calls.get();
                    await(() -> calls.get() >= before + 200); // calls run on the version before
                    modules.register("plugin", version(v));
                }
                await(() -> IntStream.range(0, 4).allMatch(t -> seen.get(t) == 5)); // every thread on the last
                assertThat(modules.remove("plugin")).isTrue();
                for (Future<String> f : problems) {
                    assertThat(f.get(30, TimeUnit.SECONDS)).isNull(); // a caller that never sees the removal fails
                }
            } finally {
                stop.set(true);
            }
            assertThat(pool.stats()).doesNotContainKey("plugin"); // the old versions' instances are gone
        }
    }

    static void await(BooleanSupplier condition) {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("waited 30 s").isLessThan(deadline);
            Thread.onSpinWait();
        }
    }

    @Test
    void meteredInstancesGetTheirPointsBackBeforeEveryLeaseOrOncePerInstance() {
        try (Engine metered = new Engine(new Config().metering(Metering.of(1_000_000)));
                ModuleCache meteredCache = new ModuleCache(metered);
                WasmModules spin = WasmModules.builder(meteredCache)
                        .module("spin.wat", "spin", bytes(SPIN))
                        .build()) {
            ModuleLimits limits = new ModuleLimits(10_000, Duration.ZERO, -1, 1);
            long cost;
            try (WasmInstancePool pool =
                    WasmInstancePool.builder(spin).limits(limits).build()) {
                try (WasmInstancePool.Lease lease = pool.borrow("spin")) {
                    assertThat(lease.instance().remainingPoints()).isEqualTo(10_000);
                    lease.instance().func("count").call(1000L);
                    cost = 10_000 - lease.instance().remainingPoints();
                }
                assertThat(cost).as("one call costs more than half the points").isBetween(5_001L, 10_000L);
                for (int i = 0; i < 3; i++) {
                    pool.call("spin", "count", 1000L);
                }
                WasmInstancePool.Stats stats = pool.stats().get("spin");
                assertThat(stats.consumedPoints()).isEqualTo(4 * cost);
                assertThat(stats.remainingPoints())
                        .as("the idle instance's points")
                        .isEqualTo(10_000 - cost);
                assertThat(stats.exhaustions()).isZero();
                try (WasmInstancePool.Lease lease = pool.borrow("spin")) {
                    assertThat(lease.instance().remainingPoints()).isEqualTo(10_000);
                }
                assertThat(stats.created()).isEqualTo(1);
            }
            try (WasmInstancePool pool = WasmInstancePool.builder(spin)
                    .limits(limits)
                    .resetPointsPerCall(false)
                    .build()) {
                pool.call("spin", "count", 1000L);
                assertThatThrownBy(() -> pool.call("spin", "count", 1000L))
                        .isInstanceOf(MeteringExhaustedException.class);
                WasmInstancePool.Stats stats = pool.stats().get("spin");
                assertThat(stats.exhaustions()).isEqualTo(1);
                assertThat(stats.recycled()).as("a trap: replaced").isEqualTo(1);
                assertThat(stats.consumedPoints())
                        .as("counted for per-call resets only")
                        .isZero();
                pool.call("spin", "count", 1000L);
                assertThat(pool.stats().get("spin").remainingPoints()).isEqualTo(10_000 - cost);
            }
            try (WasmInstancePool pool = WasmInstancePool.builder(spin).build()) {
                assertThat(pool.limits("spin"))
                        .as("the defaults: the engine's points")
                        .isEqualTo(new ModuleLimits(
                                1_000_000,
                                Duration.ZERO,
                                -1,
                                Runtime.getRuntime().availableProcessors()));
            }
        }
        try (WasmInstancePool pool = WasmInstancePool.builder(modules).build()) {
            assertThat(pool.limits("add").points())
                    .as("unmetered: points no call exhausts")
                    .isEqualTo(Long.MAX_VALUE);
        }
    }

    @Test
    void aCallThatRunsOutOfPointsAfterItsModuleWasRemovedStillSaysSo() {
        try (Engine metered = new Engine(new Config().metering(Metering.of(1000)));
                ModuleCache meteredCache = new ModuleCache(metered);
                WasmModules spin = WasmModules.builder(meteredCache)
                        .module("spin.wat", "spin", bytes(SPIN))
                        .build();
                WasmInstancePool pool = WasmInstancePool.builder(spin).build()) {
            assertThatThrownBy(() -> pool.call("spin", "spin", instance -> {
                        spin.remove("spin"); // while the call runs: its module's instances are retired
                        return instance.func("spin").call();
                    }))
                    .isInstanceOf(MeteringExhaustedException.class);
            assertThat(pool.stats()).isEmpty();
        }
    }

    /**
     * Shutdown: an endless call whose deadline is an hour away ends within a second of stopCalls, and no call starts
     * after it; a store stopped before its first call refuses it too (no deadline slot yet).
     */
    @Test
    void stopCallsEndsARunningCallNowAndRefusesNewOnes() throws Exception {
        withSpinPool(Duration.ofHours(1), 2, WasmInstancePool.InstanceReuse.DISCARD_AFTER_TRAP, pool -> {
            WasmInstancePool.Lease idle = pool.borrow("spin");
            dev.wasmerffm.Store unused = idle.instance().store();
            var running = java.util.concurrent.CompletableFuture.supplyAsync(() -> pool.call("spin", "spin"));
            while (pool.stats().get("spin").inUse() < 2) {
                Thread.onSpinWait();
            }
            Thread.sleep(200); // in wasm
            long t0 = System.nanoTime();
            pool.stopCalls();
            assertThatThrownBy(() -> running.get(1, java.util.concurrent.TimeUnit.SECONDS))
                    .hasCauseInstanceOf(DeadlineExceededException.class);
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(1));
            assertThatThrownBy(() -> idle.instance().func("count").call(1L))
                    .as("a lent instance's store never armed a deadline: still refused")
                    .isInstanceOf(DeadlineExceededException.class);
            assertThat(unused.isClosed()).isFalse();
            idle.close();
            assertThatThrownBy(() -> pool.call("spin", "count", 1L))
                    .isInstanceOf(PoolClosedException.class)
                    .hasMessageContaining("'spin'");
        });
    }

    /** What a test does with a pool of SPIN compiled for deadlines, its calls with {@code timeout}. */
    interface SpinPoolTest {
        void run(WasmInstancePool pool) throws Exception;
    }

    private void withSpinPool(Duration timeout, int size, WasmInstancePool.InstanceReuse reuse, SpinPoolTest test)
            throws Exception {
        try (Engine timed = new Engine(new Config().deadlines(true));
                ModuleCache timedCache = new ModuleCache(timed);
                WasmModules spin = WasmModules.builder(timedCache)
                        .module("spin.wat", "spin", bytes(SPIN))
                        .build();
                WasmInstancePool pool = WasmInstancePool.builder(spin)
                        .limits(new ModuleLimits(Long.MAX_VALUE, timeout, -1, size))
                        .reuse(reuse)
                        .build()) {
            test.run(pool);
        }
    }

    @Test
    void aCallPastItsDeadlineStopsAndItsInstanceIsReplaced() throws Exception {
        withSpinPool(Duration.ofMillis(50), 1, WasmInstancePool.InstanceReuse.REUSE, pool -> {
            assertThatThrownBy(() -> pool.call("spin", "spin")).isInstanceOf(DeadlineExceededException.class);
            pool.call("spin", "count", 10L);
            WasmInstancePool.Stats stats = pool.stats().get("spin");
            assertThat(stats.deadlines()).isEqualTo(1);
            assertThat(stats.recycled()).as("replaced even under REUSE").isEqualTo(1);
        });
    }

    @Test
    void closingThePoolClosesIdleInstancesNowAndLentOnesWhenReturned() {
        WasmInstancePool pool =
                WasmInstancePool.builder(modules).limits(size(2)).build();
        WasmInstancePool.Lease lent = pool.borrow("add");
        Instance idle;
        try (WasmInstancePool.Lease other = pool.borrow("add")) {
            idle = other.instance();
        }
        pool.close();
        assertThat(idle.isClosed()).isTrue();
        Instance stillLent = lent.instance();
        assertThat(stillLent.func("add").call(1, 1)).containsExactly(2);
        lent.close();
        assertThat(stillLent.isClosed()).isTrue();
        assertThatThrownBy(() -> pool.borrow("add"))
                .isInstanceOf(PoolClosedException.class)
                .hasMessage("instance pool is closed: no call of module 'add' starts");
    }

    @Test
    void instancesImportWhatTheImportsFunctionMakesInTheirStore() {
        modules.register(
                "host",
                bytes("(module (import \"env\" \"twice\" (func $t (param i32) (result i32)))"
                        + " (func (export \"quadruple\") (param i32) (result i32) local.get 0 call $t call $t))"));
        AtomicInteger made = new AtomicInteger();
        try (WasmInstancePool pool = WasmInstancePool.builder(modules)
                .limits(size(1))
                .imports((store, module) -> {
                    made.incrementAndGet();
                    return new Imports()
                            .define(
                                    "env",
                                    "twice",
                                    Func.host(
                                            store,
                                            FuncType.of(List.of(ValType.I32), List.of(ValType.I32)),
                                            c -> c.result(0, 2 * c.i32(0))));
                })
                .build()) {
            assertThat(pool.call("host", "quadruple", 5)).containsExactly(20);
            assertThat(pool.call("host", "quadruple", 6)).containsExactly(24);
            assertThat(made).as("once per instance").hasValue(1);
        }
        try (WasmInstancePool pool =
                WasmInstancePool.builder(modules).limits(size(1)).build()) {
            assertThatThrownBy(() -> pool.borrow("host"))
                    .as("imports nothing by default")
                    .isInstanceOf(WasmerException.class);
            assertThat(pool.stats().get("host").created())
                    .as("a failed instantiation frees its slot")
                    .isZero();
        }
    }

    @Test
    void aWasiModulesInstancesGetTheirConfigurationByModuleName() {
        modules.register("wasiinfo", bytes(WASI_INFO));
        List<String> asked = Collections.synchronizedList(new ArrayList<>());
        try (WasmInstancePool pool = WasmInstancePool.builder(modules)
                .limits(size(1))
                .wasi(module -> {
                    asked.add(module);
                    return new WasiConfig(module).args("a", "b").env("K", "V");
                })
                .build()) {
            try (WasmInstancePool.Lease lease = pool.borrow("wasiinfo")) {
                assertThat(lease.wasi()).isNotNull();
                assertThat(lease.instance().func("argc").call()).containsExactly(3);
                assertThat(lease.instance().func("envc").call()).containsExactly(1);
            }
            assertThat(asked).containsExactly("wasiinfo");
        }
        try (WasmInstancePool pool =
                WasmInstancePool.builder(modules).limits(size(1)).build()) {
            assertThat(pool.call("wasiinfo", "argc"))
                    .as("the program name only")
                    .containsExactly(1);
            assertThat(pool.call("wasiinfo", "envc")).containsExactly(0);
        }
    }

    /** Writes "out" to stdout; {@code _start} writes it too and exits with code 3. */
    static final String WASI_COMMAND = """
            (module
              (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
              (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
              (memory (export "memory") 1)
              (data (i32.const 16) "out")
              (global $starts (mut i32) (i32.const 0))
              (func $say (export "say")
                (i32.store (i32.const 0) (i32.const 16)) (i32.store (i32.const 4) (i32.const 3))
                (drop (call $write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))))
              (func (export "starts") (result i32) global.get $starts)
              (func (export "_start")
                (global.set $starts (i32.add (global.get $starts) (i32.const 1)))
                call $say
                (call $exit (i32.const 3))))
            """;

    @Test
    void eachLeaseStartsWithEmptyStdioAndACommandRunsOncePerFreshInstance() {
        modules.register("cmd", bytes(WASI_COMMAND));
        try (WasmInstancePool pool =
                WasmInstancePool.builder(modules).limits(size(1)).build()) {
            for (int i = 0; i < 3; i++) {
                try (WasmInstancePool.Lease lease = pool.borrow("cmd")) {
                    assertThat(Objects.requireNonNull(lease.wasi()).stdout())
                            .as("lease %d sees none of the earlier leases' output", i)
                            .isEmpty();
                    lease.instance().func("say").call();
                    assertThat(lease.wasi().stdout()).asString().isEqualTo("out");
                }
            }
            assertThat(pool.stats().get("cmd").recycled())
                    .as("one instance, reused")
                    .isZero();
            for (int i = 0; i < 3; i++) {
                WasiExit exit = pool.run("cmd");
                assertThat(exit.exitCode()).as("proc_exit(3) is a result").isEqualTo(3);
                assertThat(exit.stdoutText())
                        .as("run %d: only its own output", i)
                        .isEqualTo("out");
            }
            assertThat(pool.call("cmd", "starts"))
                    .as("the instance after the runs is fresh: _start never ran on it")
                    .containsExactly(0);
            assertThat(pool.stats().get("cmd").recycled())
                    .as("each run's instance replaced")
                    .isEqualTo(3);
        }
        try (WasmInstancePool pool =
                WasmInstancePool.builder(modules).limits(size(1)).build()) {
            assertThatThrownBy(() -> pool.run("add"))
                    .isInstanceOf(WasmerException.class)
                    .hasMessage("module 'add' imports no WASI: it is not a WASI command");
        }
    }

    @Test
    void moduleLimitsRefuseWhatCannotBe() {
        assertThatThrownBy(() -> new ModuleLimits(-1, Duration.ZERO, -1, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("points must be >= 0, got -1");
        assertThatThrownBy(() -> new ModuleLimits(0, Duration.ofMillis(-1), -1, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("callTimeout must be >= 0");
        assertThatThrownBy(() -> new ModuleLimits(0, Duration.ZERO, -1, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("poolSize must be >= 1, got 0");
    }
}
