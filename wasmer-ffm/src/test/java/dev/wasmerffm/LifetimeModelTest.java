package dev.wasmerffm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wasmerffm.internal.store.NativeResource;
import dev.wasmerffm.wasi.WasiConfig;
import dev.wasmerffm.wasi.WasiEnv;
import java.lang.ref.WeakReference;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The store owns everything made in it (issue 14): the hangs, wrong results and leaks the old per-object lifetimes
 * allowed, each as a regression test. The crashes are in {@code reliability.CrashRegressionTest} (child JVMs).
 */
class LifetimeModelTest {

    static final FuncType VOID_TO_I32 = FuncType.of(List.of(), List.of(ValType.I32));

    static final String CALLS_HOST = """
            (module (import "env" "h" (func $h (result i32)))
              (memory (export "memory") 1)
              (func (export "run") (result i32) call $h))
            """;

    static long status(String field) throws Exception {
        return Files.readAllLines(Path.of("/proc/self/status")).stream()
                .filter(l -> l.startsWith(field + ":"))
                .mapToLong(l -> Long.parseLong(l.replaceAll("\\D", "")))
                .findFirst()
                .orElseThrow();
    }

    @Test
    @Timeout(30)
    void hostFunctionsCallingEachOthersStoreOnTwoThreadsFailFastInsteadOfDeadlocking() throws Exception {
        try (Engine engine = new Engine();
                Module module = Module.compile(engine, CALLS_HOST);
                Store a = new Store(engine);
                Store b = new Store(engine)) {
            CountDownLatch both = new CountDownLatch(2);
            AtomicReference<Func> runA = new AtomicReference<>();
            AtomicReference<Func> runB = new AtomicReference<>();
            Func ha = Func.host(a, VOID_TO_I32, c -> {
                both.countDown();
                await(both);
                c.result(0, (Integer) runB.get().call()[0]);
            });
            Func hb = Func.host(b, VOID_TO_I32, c -> {
                both.countDown();
                await(both);
                c.result(0, (Integer) runA.get().call()[0]);
            });
            runA.set(Instance.create(a, module, new Imports().define("env", "h", ha))
                    .func("run"));
            runB.set(Instance.create(b, module, new Imports().define("env", "h", hb))
                    .func("run"));
            AtomicReference<Throwable> failA = new AtomicReference<>();
            AtomicReference<Throwable> failB = new AtomicReference<>();
            Thread ta = Thread.ofPlatform()
                    .start(() -> capture(failA, () -> runA.get().call()));
            Thread tb = Thread.ofPlatform()
                    .start(() -> capture(failB, () -> runB.get().call()));
            ta.join(10_000);
            tb.join(10_000);
            assertThat(ta.isAlive() || tb.isAlive()).as("deadlocked").isFalse();
            // at least one side gave up waiting with a typed exception (as the cause of its trap)
            assertThat(List.of(String.valueOf(failA.get()), String.valueOf(failB.get())))
                    .anyMatch(s -> s.contains("StoreBusyException"));
        }
    }

    static void await(CountDownLatch latch) {
        try {
            latch.await(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    static void capture(AtomicReference<Throwable> into, Runnable body) {
        try {
            body.run();
        } catch (Throwable t) {
            into.set(t);
        }
    }

    @Test
    @Timeout(30)
    void aCloseFromAnotherThreadLetsTheRunningCallFinishItsNestedCalls() throws Exception {
        String wat = """
                (module (import "env" "h" (func $h (result i32)))
                  (func (export "run") (result i32) call $h)
                  (func (export "seven") (result i32) i32.const 7))
                """;
        try (Engine engine = new Engine();
                Module module = Module.compile(engine, wat)) {
            Store store = new Store(engine);
            CountDownLatch inside = new CountDownLatch(1);
            CountDownLatch closed = new CountDownLatch(1);
            AtomicReference<Func> seven = new AtomicReference<>();
            Func h = Func.host(store, VOID_TO_I32, c -> {
                inside.countDown();
                await(closed);
                c.result(0, (Integer) seven.get().call()[0] * 6); // a nested call after the close was asked
            });
            Instance instance = Instance.create(store, module, new Imports().define("env", "h", h));
            seven.set(instance.func("seven"));
            AtomicReference<Object> result = new AtomicReference<>();
            Thread t = Thread.ofPlatform()
                    .start(() -> result.set(instance.func("run").call()[0]));
            inside.await();
            store.close();
            assertThat(store.isClosed()).isTrue();
            assertThat(store.isFreed()).isFalse();
            assertThatThrownBy(() -> instance.func("seven").call())
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("Store is closed");
            closed.countDown();
            t.join(10_000);
            assertThat(result.get()).isEqualTo(42);
            assertThat(store.isFreed()).isTrue();
        }
    }

    @Test
    void hostCallNamesTheInstanceThatImportedTheFunctionNotTheOneJavaEntered() {
        String x = """
                (module (import "env" "log" (func $log (param i32 i32)))
                  (memory (export "memory") 1)
                  (data (i32.const 0) "from X")
                  (func (export "hello") i32.const 0 i32.const 6 call $log))
                """;
        String y = """
                (module (import "x" "hello" (func $hello))
                  (memory (export "memory") 1)
                  (data (i32.const 0) "from Y")
                  (func (export "run") call $hello))
                """;
        try (Engine engine = new Engine();
                Module mx = Module.compile(engine, x);
                Module my = Module.compile(engine, y);
                Store store = new Store(engine)) {
            AtomicReference<String> seen = new AtomicReference<>();
            AtomicReference<Instance> caller = new AtomicReference<>();
            Func log = Func.host(store, FuncType.of(List.of(ValType.I32, ValType.I32), List.of()), c -> {
                caller.set(c.caller());
                if (c.caller() != null) {
                    seen.set(new String(c.memory().read(c.i32(0), c.i32(1)), StandardCharsets.UTF_8));
                }
            });
            Instance ix = Instance.create(store, mx, new Imports().define("env", "log", log));
            Instance iy = Instance.create(store, my, new Imports().define("x", "hello", ix.func("hello")));
            iy.func("run").call();
            assertThat(seen.get()).isEqualTo("from X");
            assertThat(caller.get()).isSameAs(ix);
            // called from Java, not by an importing instance: no caller
            log.call(0, 0);
            assertThat(caller.get()).isNull();
        }
    }

    @Test
    void aHostExceptionLeftByAClosedMeteredInstanceDoesNotReachTheNextTrap() {
        try (Engine metered = new Engine(new Config().metering(Metering.of(1_000_000)));
                Module module = Module.compile(metered, CALLS_HOST);
                Engine plain = new Engine();
                Module traps = Module.compile(plain, TestModules.TRAPS)) {
            Store store = new Store(module);
            AtomicReference<Instance> self = new AtomicReference<>();
            Func h = Func.host(store, VOID_TO_I32, c -> {
                self.get().close();
                throw new IllegalArgumentException("host failure");
            });
            self.set(Instance.create(store, module, new Imports().define("env", "h", h)));
            assertThatThrownBy(() -> self.get().func("run").call())
                    .isInstanceOf(TrapException.class)
                    .hasCauseInstanceOf(IllegalArgumentException.class);
            store.close();
            try (Store other = new Store(plain);
                    Instance t = Instance.create(other, traps)) {
                assertThatThrownBy(() -> t.func("unreachable").call())
                        .isInstanceOfSatisfying(TrapException.class, e -> {
                            assertThat(e.kind()).isEqualTo(TrapKind.UNREACHABLE);
                            assertThat(e.getCause()).isNull();
                        });
            }
        }
    }

    @Test
    void exhaustionInAnInstanceOtherThanTheEntryOneIsReportedAsMetering() {
        String wat = """
                (module (import "env" "f" (func $f))
                  (func (export "spin") (loop br 0))
                  (func (export "callf") call $f))
                """;
        try (Engine engine = new Engine(new Config().metering(Metering.of(10_000)));
                Module module = Module.compile(engine, wat);
                Store store = new Store(module)) {
            Func noop = Func.host(store, FuncType.of(List.of(), List.of()), c -> {});
            Instance spinner = Instance.create(store, module, new Imports().define("env", "f", noop));
            Instance entry = Instance.create(store, module, new Imports().define("env", "f", spinner.func("spin")));
            assertThatThrownBy(() -> entry.func("callf").call()).isInstanceOf(MeteringExhaustedException.class);
            assertThat(spinner.pointsExhausted()).isTrue();
            assertThat(entry.pointsExhausted()).isFalse();
        }
    }

    /**
     * The README's pattern (store, host function and instance per cycle; instance and store closed, the host
     * function not): each cycle once kept a whole store alive, +8 GiB of address space, until mmap failed.
     */
    @Test
    void theReadmePatternFreesEachStoreWithEverythingInIt() throws Exception {
        try (Engine engine = new Engine();
                Module module = Module.compile(engine, CALLS_HOST)) {
            int cycles = Scale.of(20_000, 1_000_000);
            for (int i = 0; i < 5_000; i++) {
                readmeCycle(engine, module);
            }
            long liveBefore = LiveObjects.settled();
            long vmBefore = status("VmSize");
            long rssBefore = status("VmRSS");
            for (int i = 0; i < cycles; i++) {
                readmeCycle(engine, module);
                if (i % 1000 == 0) {
                    System.gc(); // so RSS shows native memory, not a Java heap that grew for want of a collection
                }
            }
            long live = LiveObjects.settled();
            long vmAfter = status("VmSize");
            long rssAfter = status("VmRSS");
            System.out.printf(
                    "README pattern, %d cycles: VmSize %d -> %d KiB, RSS %d -> %d KiB (%+.1f%%), live %d -> %d%n",
                    cycles,
                    vmBefore,
                    vmAfter,
                    rssBefore,
                    rssAfter,
                    100.0 * (rssAfter - rssBefore) / rssBefore,
                    liveBefore,
                    live);
            assertThat(live).isEqualTo(liveBefore);
            // one leaked store per cycle would be 8 GiB each
            assertThat((double) vmAfter).isBetween(vmBefore * 0.95, vmBefore * 1.05);
            assertThat((double) rssAfter).isLessThan(rssBefore * 1.05);
        }
    }

    static void readmeCycle(Engine engine, Module module) {
        Store store = new Store(engine);
        Func h = Func.host(store, VOID_TO_I32, c -> c.result(0, 42));
        Instance instance = Instance.create(store, module, new Imports().define("env", "h", h));
        if (instance.func("run").asIntSupplier().getAsInt() != 42) {
            throw new AssertionError();
        }
        instance.close();
        store.close();
    }

    /** On a thread with stack to spare, it is the nesting bound, not the stack check, that refuses. */
    @Test
    void hostFunctionsNestedPastTheBoundAreRefusedWithReentryLimitException() throws Exception {
        String wat = """
                (module (import "env" "h" (func $h (param i32) (result i32)))
                  (func (export "down") (param i32) (result i32) local.get 0 call $h))
                """;
        AtomicReference<Throwable> root = new AtomicReference<>();
        AtomicReference<Integer> after = new AtomicReference<>();
        Thread t = Thread.ofPlatform().stackSize(256L << 20).start(() -> {
            try (Engine engine = new Engine();
                    Module module = Module.compile(engine, wat);
                    Store store = new Store(engine)) {
                AtomicReference<Func> down = new AtomicReference<>();
                Func h = Func.host(
                        store,
                        FuncType.of(List.of(ValType.I32), List.of(ValType.I32)),
                        c -> c.result(
                                0, c.i32(0) == 0 ? 0 : (Integer) down.get().call(c.i32(0) - 1)[0] + 1));
                down.set(Instance.create(store, module, new Imports().define("env", "h", h))
                        .func("down"));
                try {
                    down.get().call(Upcalls.MAX_REENTRY + 10);
                } catch (TrapException e) {
                    Throwable r = e;
                    while (r.getCause() != null) {
                        r = r.getCause();
                    }
                    root.set(r);
                }
                after.set((Integer) down.get().call(Upcalls.MAX_REENTRY - 1)[0]);
            }
        });
        t.join();
        assertThat(root.get()).isInstanceOf(ReentryLimitException.class);
        assertThat(after.get()).isEqualTo(Upcalls.MAX_REENTRY - 1);
    }

    @Test
    void aLongLivedStoreRefusesToInstantiateMoreThanItsLimit() {
        try (Engine engine = new Engine();
                Module module = Module.compile(engine, TestModules.TRAPS);
                Store store = new Store(engine).maxInstances(10)) {
            for (int i = 0; i < 10; i++) {
                Instance.create(store, module).close();
            }
            assertThat(store.instanceCount()).isEqualTo(10);
            assertThatThrownBy(() -> Instance.create(store, module))
                    .isInstanceOf(StoreLimitException.class)
                    .hasMessageContaining("10 instances")
                    .hasMessageContaining("store of its own");
        }
    }

    @Test
    @Timeout(60)
    void theCleanerFreesOtherStoresWhileOneStoreIsBusyInALongCall() throws Exception {
        try (Engine engine = new Engine();
                Module module = Module.compile(engine, CALLS_HOST)) {
            Store busy = new Store(engine);
            CountDownLatch inside = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            Func h = Func.host(busy, VOID_TO_I32, c -> {
                inside.countDown();
                await(release, 300); // held until the other stores are forgotten (at least 10 s in the long run)
                c.result(0, 1);
            });
            Func run = Instance.create(busy, module, new Imports().define("env", "h", h))
                    .func("run");
            Thread caller = Thread.ofPlatform().start(run::call);
            inside.await();
            long started = System.nanoTime();
            long before = NativeResource.LIVE.get();
            int forgotten = Scale.of(5_000, 100_000);
            try (Module plain = Module.compile(engine, TestModules.TRAPS)) {
                for (int i = 0; i < forgotten; i++) {
                    Store s = new Store(engine);
                    Instance.create(s, plain).func("ok").call();
                    if (i % 1000 == 0) {
                        System.gc();
                    }
                }
                long elapsed = System.nanoTime() - started;
                if (Scale.LONG && elapsed < 10_000_000_000L) {
                    Thread.sleep((10_000_000_000L - elapsed) / 1_000_000);
                }
                long live = LiveObjects.settled();
                System.out.printf(
                        "Cleaner with a busy store: %d forgotten stores, live %d -> %d%n", forgotten, before, live);
                assertThat(caller.isAlive()).as("the busy call still runs").isTrue();
                assertThat(live).isLessThanOrEqualTo(before + 50);
            }
            release.countDown();
            caller.join();
            busy.close();
        }
    }

    static void await(CountDownLatch latch, int seconds) {
        try {
            latch.await(seconds, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void aHostLambdaCapturingItsStoreLetsTheStoreBeCollected() throws Exception {
        try (Engine engine = new Engine();
                Module module = Module.compile(engine, CALLS_HOST)) {
            List<WeakReference<Store>> stores = new java.util.ArrayList<>();
            for (int i = 0; i < 200; i++) {
                Store store = new Store(engine);
                Instance[] self = new Instance[1];
                Func h = Func.host(store, VOID_TO_I32, c -> c.result(0, store.instanceCount() + self.length));
                self[0] = Instance.create(store, module, new Imports().define("env", "h", h));
                self[0].func("run").call();
                stores.add(new WeakReference<>(store));
            }
            LiveObjects.settled();
            assertThat(stores.stream().filter(r -> r.get() != null).count()).isLessThanOrEqualTo(5);
            assertThat(Upcalls.BINDINGS.size()).isLessThanOrEqualTo(10);
        }
    }

    @Test
    void oneObjectPassedAsExternrefAMillionTimesMakesOneNativeRef() throws Exception {
        String wat = """
                (module (func (export "id") (param externref) (result externref) local.get 0))
                """;
        try (Engine engine = new Engine();
                Module module = Module.compile(engine, wat);
                Store store = new Store(engine);
                Instance instance = Instance.create(store, module)) {
            Func id = instance.func("id");
            Object context = new Object();
            id.call(context);
            long liveBefore = NativeResource.LIVE.get();
            int calls = Scale.of(200_000, 1_000_000);
            for (int i = 0; i < calls; i++) {
                if (id.call(context)[0] != context) {
                    throw new AssertionError();
                }
            }
            System.gc();
            long heap =
                    Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory();
            System.out.printf(
                    "externref: %d calls, live native %d -> %d, heap after GC %d MiB%n",
                    calls, liveBefore, NativeResource.LIVE.get(), heap >> 20);
            assertThat(NativeResource.LIVE.get()).isEqualTo(liveBefore);
        }
    }

    @Test
    void wasiRunsInStoresOfTheirOwnKeepTheThreadCountBounded() throws Exception {
        String wat = """
                (module (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
                  (memory (export "memory") 1)
                  (func (export "_start") i32.const 0 call $exit))
                """;
        try (Engine engine = new Engine();
                Module module = Module.compile(engine, wat)) {
            int runs = Scale.of(300, 10_000);
            for (int i = 0; i < 20; i++) {
                wasiRun(module);
            }
            long threadsBefore = status("Threads");
            for (int i = 0; i < runs; i++) {
                wasiRun(module);
            }
            long threadsAfter = status("Threads");
            System.out.printf("WASI: %d runs, threads %d -> %d%n", runs, threadsBefore, threadsAfter);
            assertThat(threadsAfter).isLessThan(threadsBefore + 30);
        }
    }

    static void wasiRun(Module module) {
        try (Store store = new Store(module);
                WasiEnv wasi = WasiEnv.create(store, new WasiConfig("exit0"))) {
            assertThat(wasi.run(module).exitCode()).isZero();
        }
    }
}
