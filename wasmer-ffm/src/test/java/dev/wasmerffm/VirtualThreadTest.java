package dev.wasmerffm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Calls made on virtual threads run on platform threads, so neither long wasm nor a blocking host function holds a
 * carrier: the other virtual threads run on.
 */
class VirtualThreadTest {

    static final String WAT = """
            (module (import "env" "f" (func $f (result i32)))
              (func (export "untilF") (loop (br_if 0 (i32.eqz (call $f)))))
              (func (export "callF") (result i32) call $f)
              (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1))))
            """;

    /** {@code twice(x)}: its import {@code env.g(x)}, which a test makes call back into the store. */
    static final String TWICE = """
            (module (import "env" "g" (func $g (param i32) (result i32)))
              (func (export "twice") (param i32) (result i32) (call $g (local.get 0)))
              (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1))))
            """;

    /** More than the virtual threads' carriers: each would hold one if its call pinned it. */
    static final int CALLS = Integer.getInteger(
                    "jdk.virtualThreadScheduler.parallelism",
                    Runtime.getRuntime().availableProcessors())
            + 2;

    private static final FuncType I32 = FuncType.of(List.of(), List.of(ValType.I32));

    /** Starts {@link #CALLS} virtual threads that each run {@code export} with {@code f} as the host function. */
    private static List<Thread> callers(Engine engine, Module module, String export, HostFunction f) {
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < CALLS; i++) {
            threads.add(Thread.ofVirtual().start(() -> {
                try (Store store = new Store(engine)) {
                    Instance in = Instance.create(store, module, Func.host(store, I32, f));
                    in.func(export).call();
                }
            }));
        }
        return threads;
    }

    /** Whether a fresh virtual thread gets to run within 10 s. */
    private static boolean anotherVirtualThreadRuns() throws InterruptedException {
        CountDownLatch ran = new CountDownLatch(1);
        Thread.ofVirtual().start(ran::countDown);
        return ran.await(10, TimeUnit.SECONDS);
    }

    @Test
    void blockingHostFunctionsOnVirtualThreadsLeaveTheOtherVirtualThreadsRunning() throws Exception {
        CountDownLatch blocked = new CountDownLatch(CALLS);
        CountDownLatch release = new CountDownLatch(1);
        try (Engine engine = new Engine();
                Module module = Module.compile(engine, WAT)) {
            List<Thread> threads = callers(engine, module, "callF", c -> {
                blocked.countDown();
                release.await();
                c.result(0, 1);
            });
            try {
                assertThat(blocked.await(10, TimeUnit.SECONDS))
                        .as("every call reached its blocking host function")
                        .isTrue();
                assertThat(anotherVirtualThreadRuns()).isTrue();
            } finally {
                release.countDown();
            }
            for (Thread t : threads) {
                assertThat(t.join(Duration.ofSeconds(30))).isTrue();
            }
        }
    }

    @Test
    void longWasmOnVirtualThreadsLeavesTheOtherVirtualThreadsRunning() throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        CountDownLatch looping = new CountDownLatch(CALLS);
        try (Engine engine = new Engine();
                Module module = Module.compile(engine, WAT)) {
            // each loops in wasm, asking a host function (that never blocks) whether to stop
            List<Thread> threads = callers(engine, module, "untilF", c -> {
                looping.countDown();
                c.result(0, stop.get() ? 1 : 0);
            });
            try {
                assertThat(looping.await(10, TimeUnit.SECONDS))
                        .as("every call is looping")
                        .isTrue();
                assertThat(anotherVirtualThreadRuns()).isTrue();
            } finally {
                stop.set(true);
            }
            for (Thread t : threads) {
                assertThat(t.join(Duration.ofSeconds(30))).isTrue();
            }
        }
    }

    @Test
    void aVirtualThreadsCallBehavesAsOnItsOwnThread() throws Exception {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread.ofVirtual()
                .start(() -> {
                    try (Engine engine = new Engine(new Config().deadlines(true));
                            Module module = Module.compile(engine, WAT);
                            Store store = new Store(module)) {
                        Instance in = Instance.create(store, module, Func.host(store, I32, c -> {
                            // the store's lock is the caller's: the host function uses the store and calls back in
                            assertThat(c.caller().func("add").call(40, 2)).containsExactly(42);
                            assertThat(Thread.currentThread().isVirtual()).isFalse();
                            Thread.sleep(60_000);
                        }));
                        assertThat(in.func("add").asIntBinaryOperator().applyAsInt(1, 2))
                                .isEqualTo(3);
                        // a deadline interrupts the host function on its platform thread
                        assertThatThrownBy(() -> in.func("callF").callWithTimeout(Duration.ofMillis(50)))
                                .isInstanceOf(DeadlineExceededException.class)
                                .hasCauseInstanceOf(InterruptedException.class);
                        assertThat(Thread.currentThread().isInterrupted()).isFalse();
                        // an interrupt of the waiting virtual thread reaches the host function
                        Thread caller = Thread.currentThread();
                        Thread.ofPlatform().start(() -> {
                            sleep(100);
                            caller.interrupt();
                        });
                        assertThatThrownBy(() -> in.func("callF").call())
                                .isInstanceOf(TrapException.class)
                                .hasCauseInstanceOf(InterruptedException.class);
                        // a batch holds the store's lock while its driver calls wasm
                        int[] sums = new int[3];
                        try (Engine plain = new Engine();
                                Module adder = Module.compile(plain, WAT);
                                Store s = new Store(plain)) {
                            Instance a = Instance.create(s, adder, Func.host(s, I32, c -> c.result(0, 1)));
                            a.func("add")
                                    .batch()
                                    .run(3, new Object[] {new int[] {1, 2, 3}, new int[] {10, 20, 30}}, new Object[] {
                                        sums
                                    });
                        }
                        assertThat(sums).containsExactly(11, 22, 33);
                    } catch (Throwable e) {
                        failure.set(e);
                    }
                })
                .join();
        assertThat(failure.get()).isNull();
    }

    /** What the calling thread holds, as a tracer's current span: the store's hand-off carries it. */
    static final ThreadLocal<String> CONTEXT = new ThreadLocal<>();

    /** Runs {@code body} on a virtual thread; its failure, if any, is rethrown here. */
    static void onVirtualThread(ThrowingRunnable body) throws Exception {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread thread = Thread.ofVirtual().start(() -> {
            try {
                body.run();
            } catch (Throwable e) {
                failure.set(e);
            }
        });
        assertThat(thread.join(Duration.ofSeconds(60))).as("finished").isTrue();
        if (failure.get() != null) {
            throw new AssertionError(failure.get());
        }
    }

    interface ThrowingRunnable {
        void run() throws Exception;
    }

    @Test
    void theStoresHandOffCarriesTheCallersContextToHostFunctions() throws Exception {
        List<String> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (Engine engine = new Engine();
                Module module = Module.compile(engine, WAT);
                Store store = new Store(engine)) {
            store.handOff(HandOffs.carrying(CONTEXT));
            Instance in = Instance.create(store, module, Func.host(store, I32, c -> {
                seen.add((Thread.currentThread().isVirtual() ? "virtual " : "platform ") + CONTEXT.get());
                c.result(0, 1);
            }));
            onVirtualThread(() -> {
                CONTEXT.set("request 1");
                assertThat(in.func("callF").call()).containsExactly(1);
                // each call is handed off, and wrapped, again
                assertThat(in.func("untilF").call()).isEmpty();
            });
            CONTEXT.set("platform caller");
            try {
                assertThat(in.func("callF").call()).containsExactly(1);
            } finally {
                CONTEXT.remove();
            }
            assertThat(seen)
                    .as("a platform thread's call runs where it is, unwrapped")
                    .containsExactly("platform request 1", "platform request 1", "platform platform caller");
        }
    }

    @Test
    void aHandOffThatFailsSkipsTheCallRunsItTwiceOrHidesItsFailureFailsTheCallAndTheStoreGoesOn() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        try (Engine engine = new Engine();
                Module module = Module.compile(engine, WAT);
                Store store = new Store(engine)) {
            AtomicBoolean trap = new AtomicBoolean();
            Instance in = Instance.create(store, module, Func.host(store, I32, c -> {
                calls.incrementAndGet();
                if (trap.get()) {
                    throw new IllegalArgumentException("host refuses");
                }
                c.result(0, 7);
            }));
            onVirtualThread(() -> {
                store.handOff(call -> {
                    throw new UnsupportedOperationException("no context today");
                });
                for (int i = 0; i <= PlatformCalls.MAX_THREADS; i++) { // more than there are platform threads
                    assertThatThrownBy(() -> in.func("callF").call())
                            .isInstanceOf(UnsupportedOperationException.class)
                            .hasMessage("no context today");
                }
                store.handOff(call -> () -> {});
                assertThatThrownBy(() -> in.func("callF").call())
                        .isInstanceOf(IllegalStateException.class)
                        .hasMessage("the store's hand-off did not run the call");
                assertThat(calls).as("the call never ran").hasValue(0);
                store.handOff(call -> () -> {
                    call.run();
                    call.run();
                });
                assertThatThrownBy(() -> in.func("callF").call())
                        .isInstanceOf(IllegalStateException.class)
                        .hasMessage("the store's hand-off ran the call twice");
                assertThat(calls).as("the wasm ran once").hasValue(1);
                store.handOff(call -> () -> {
                    try {
                        call.run();
                    } catch (RuntimeException swallowed) {
                        // what the call throws is the call's, not the hand-off's to hide
                    }
                });
                trap.set(true);
                assertThatThrownBy(() -> in.func("callF").call())
                        .isInstanceOf(TrapException.class)
                        .cause()
                        .isInstanceOf(IllegalArgumentException.class)
                        .hasMessage("host refuses");
                trap.set(false);
                store.handOff(call -> null);
                assertThatThrownBy(() -> in.func("callF").call())
                        .isInstanceOf(NullPointerException.class)
                        .hasMessage("the store's hand-off returned null");
                store.handOff(java.util.function.UnaryOperator.identity());
                assertThat(in.func("callF").call()).as("the store goes on").containsExactly(7);
            });
            assertThatThrownBy(() -> store.handOff(null)).isInstanceOf(NullPointerException.class);
        }
    }

    @Test
    void manyVirtualThreadsCallingBackIntoOneStoreEachGetTheirOwnResults() throws Exception {
        int threads = 64;
        int calls = 200;
        try (Engine engine = new Engine();
                Module module = Module.compile(engine, TWICE);
                Store store = new Store(engine)) {
            Instance in = Instance.create(
                    store, module, Func.host(store, FuncType.of(List.of(ValType.I32), List.of(ValType.I32)), c -> {
                        int x = c.i32(0);
                        c.result(0, (Integer) c.caller().func("add").call(x, x)[0]); // the store, lent
                    }));
            java.util.function.IntUnaryOperator twice = in.func("twice").asIntUnaryOperator();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            List<Thread> all = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int base = t * 1_000;
                all.add(Thread.ofVirtual().start(() -> {
                    try {
                        for (int k = 0; k < calls; k++) {
                            assertThat(twice.applyAsInt(base + k)).isEqualTo(2 * (base + k));
                        }
                    } catch (Throwable e) {
                        failure.compareAndSet(null, e);
                    }
                }));
            }
            for (int k = 0; k < calls; k++) { // a platform thread among them
                assertThat(twice.applyAsInt(-k)).isEqualTo(-2 * k);
            }
            for (Thread t : all) {
                assertThat(t.join(Duration.ofSeconds(60))).isTrue();
            }
            assertThat(failure.get()).isNull();
        }
    }

    @Test
    void aStoreClosedWhileAVirtualThreadsCallRunsIsFreedWhenItReturns() throws Exception {
        CountDownLatch inside = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        try (Engine engine = new Engine();
                Module module = Module.compile(engine, WAT)) {
            Store store = new Store(engine);
            Instance in = Instance.create(store, module, Func.host(store, I32, c -> {
                inside.countDown();
                release.await();
                c.result(0, 7);
            }));
            AtomicReference<Object> result = new AtomicReference<>();
            Thread caller =
                    Thread.ofVirtual().start(() -> result.set(in.func("callF").call()[0]));
            assertThat(inside.await(10, TimeUnit.SECONDS)).isTrue();
            store.close(); // from another thread, while the call runs on its platform thread: returns at once
            assertThat(store.isClosed()).isTrue();
            assertThat(store.isFreed()).isFalse();
            release.countDown();
            assertThat(caller.join(Duration.ofSeconds(10))).isTrue();
            assertThat(result.get()).isEqualTo(7);
            assertThat(store.isFreed()).isTrue();
            AtomicReference<Throwable> after = new AtomicReference<>();
            Thread.ofVirtual()
                    .start(() -> {
                        try {
                            in.func("callF").call();
                        } catch (Throwable e) {
                            after.set(e);
                        }
                    })
                    .join();
            assertThat(after.get()).isInstanceOf(IllegalStateException.class);
        }
    }

    @Test
    void withNoPlatformCallThreadsAVirtualThreadsCallsStayOnIt() throws Exception {
        String out = ChildJvm.run(0, List.of("-Ddev.wasmerffm.platformCallThreads=0"), InPlace.class);
        assertThat(out).contains("host function on a virtual thread: true");
    }

    /** The child JVM of {@link #withNoPlatformCallThreadsAVirtualThreadsCallsStayOnIt}. */
    static final class InPlace {
        public static void main(String[] args) throws Exception {
            try (Engine engine = new Engine();
                    Module module = Module.compile(engine, WAT);
                    Store store = new Store(engine)) {
                Instance in = Instance.create(store, module, Func.host(store, I32, c -> {
                    System.out.println("host function on a virtual thread: "
                            + Thread.currentThread().isVirtual());
                    c.result(0, 1);
                }));
                Thread.ofVirtual().start(() -> in.func("callF").call()).join();
            }
        }
    }

    @Test
    void aCallNestedInOneOnAPlatformThreadNeverWaitsForAnother() throws Exception {
        String out = ChildJvm.run(0, List.of("-Ddev.wasmerffm.platformCallThreads=1"), Nested.class);
        assertThat(out).contains("on the platform thread: 42 on it", "from a virtual thread it started: 42");
    }

    /**
     * The child JVM of {@link #aCallNestedInOneOnAPlatformThreadNeverWaitsForAnother}: with one platform thread for
     * calls, a virtual thread's host function calls wasm itself and then waits for a virtual thread it starts to
     * call wasm; before, that virtual thread waited for the one platform thread, held by the host function waiting
     * for it.
     */
    static final class Nested {
        public static void main(String[] args) throws Exception {
            try (Engine engine = new Engine();
                    Module module = Module.compile(engine, WAT);
                    Module twice = Module.compile(engine, TWICE);
                    Store store = new Store(engine);
                    Store other = new Store(engine)) {
                AtomicReference<Thread> ranOn = new AtomicReference<>();
                Func add = Instance.create(
                                other,
                                twice,
                                Func.host(other, FuncType.of(List.of(ValType.I32), List.of(ValType.I32)), c -> {
                                    ranOn.set(Thread.currentThread());
                                    c.result(0, 2 * c.i32(0));
                                }))
                        .func("twice");
                Instance in = Instance.create(store, module, Func.host(store, I32, c -> {
                    Thread self = Thread.currentThread();
                    Object here = add.call(21)[0];
                    System.out.println("on the platform thread: " + here + (ranOn.get() == self ? " on it" : ""));
                    AtomicReference<Object> nested = new AtomicReference<>();
                    Thread t = Thread.ofVirtual().start(() -> nested.set(add.call(21)[0]));
                    if (!t.join(Duration.ofSeconds(10))) {
                        System.out.println("the virtual thread's call waited for the busy platform thread");
                        System.exit(1);
                    }
                    System.out.println("from a virtual thread it started: " + nested.get());
                    c.result(0, 1);
                }));
                Thread.ofVirtual().start(() -> in.func("callF").call()).join();
            }
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
