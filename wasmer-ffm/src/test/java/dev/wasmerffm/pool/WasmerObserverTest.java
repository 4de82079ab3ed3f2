package dev.wasmerffm.pool;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.wasmerffm.Config;
import dev.wasmerffm.Engine;
import dev.wasmerffm.Func;
import dev.wasmerffm.FuncType;
import dev.wasmerffm.HandOffs;
import dev.wasmerffm.Imports;
import dev.wasmerffm.Instance;
import dev.wasmerffm.Metering;
import dev.wasmerffm.Module;
import dev.wasmerffm.Store;
import dev.wasmerffm.TrapException;
import dev.wasmerffm.ValType;
import dev.wasmerffm.WasmerException;
import dev.wasmerffm.cache.ModuleCache;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/** What the registry and the pool tell their observer, on the real libwasmer. */
class WasmerObserverTest {

    /** Writes down every hook as a line; {@code nanos} must be positive. */
    static final class Recording implements WasmerObserver {
        final String name;
        final List<String> events;

        Recording(String name, List<String> events) {
            this.name = name;
            this.events = events;
        }

        Recording(List<String> events) {
            this("", events);
        }

        private void add(String event, long nanos) {
            assertThat(nanos).as(event).isPositive();
            events.add(name + event);
        }

        @Override
        public void moduleLoaded(String module, long nanos) {
            add("loaded " + module, nanos);
        }

        @Override
        public void instantiated(String module, long nanos) {
            add("instantiated " + module, nanos);
        }

        @Override
        public CallScope callStarted(String module, String function) {
            events.add(name + "started " + module + "." + function);
            return (nanos, points, failure) -> add(
                    "ended " + module + "." + function + " "
                            + Outcome.of(failure).tag(),
                    nanos);
        }
    }

    @Test
    void theRegistryAndThePoolReportLoadsInstancesAndCalls() {
        List<String> events = Collections.synchronizedList(new ArrayList<>());
        WasmerObserver observer = new Recording(events);
        try (Engine engine = new Engine();
                ModuleCache cache = new ModuleCache(engine);
                WasmModules modules = WasmModules.builder(cache)
                        .observer(observer)
                        .module("counter.wat", "counter", WasmInstancePoolTest.COUNTER.getBytes(UTF_8))
                        .build()) {
            assertThat(events).containsExactly("loaded counter");
            modules.register("add", WasmInstancePoolTest.ADD.getBytes(UTF_8));
            assertThat(events).containsExactly("loaded counter", "loaded add");
            events.clear();
            try (WasmInstancePool pool = WasmInstancePool.builder(modules)
                    .limits(new ModuleLimits(0, Duration.ZERO, -1, 1))
                    .observer(observer)
                    .build()) {
                pool.call("counter", "next");
                pool.call("counter", "next");
                assertThatThrownBy(() -> pool.call("counter", "trap")).isInstanceOf(TrapException.class);
                assertThatThrownBy(() -> pool.call("counter", "absent")).isInstanceOf(WasmerException.class);
                assertThatThrownBy(() -> pool.call("nothing", "next")).isInstanceOf(UnknownModuleException.class);
                try (WasmInstancePool.Lease lease = pool.borrow("add")) {
                    assertThat(lease.instance().func("add").call(1, 2)).containsExactly(3);
                }
                assertThat(events)
                        .containsExactly(
                                "started counter.next",
                                "instantiated counter",
                                "ended counter.next success",
                                "started counter.next",
                                "ended counter.next success",
                                "started counter.trap",
                                "ended counter.trap trap",
                                // a name the module does not export is not observed: callers cannot add names
                                "started counter.unknown",
                                "instantiated counter",
                                "ended counter.unknown error",
                                "started unknown.unknown",
                                "ended unknown.unknown error",
                                // a lease is not a call
                                "instantiated add");
            }
        }
    }

    /** Runs {@code calls} on a one-instance pool of {@code add} in {@code engine}, with the points each call heard. */
    private static void withPointsHeard(Engine engine, long points, BiConsumer<WasmInstancePool, List<Long>> calls) {
        List<Long> heard = Collections.synchronizedList(new ArrayList<>());
        WasmerObserver observer = new WasmerObserver() {
            @Override
            public CallScope callStarted(String module, String function) {
                return (nanos, used, failure) -> heard.add(used);
            }
        };
        try (engine;
                ModuleCache cache = new ModuleCache(engine);
                WasmModules modules = WasmModules.builder(cache)
                        .module("add.wat", "add", WasmInstancePoolTest.ADD.getBytes(UTF_8))
                        .build();
                WasmInstancePool pool = WasmInstancePool.builder(modules)
                        .limits(new ModuleLimits(points, Duration.ZERO, -1, 1))
                        .observer(observer)
                        .build()) {
            calls.accept(pool, heard);
        }
    }

    @Test
    void aCallsScopeHearsThePointsItUsed() {
        withPointsHeard(new Engine(new Config().metering(Metering.of(10_000))), 10_000, (pool, heard) -> {
            assertThat(pool.call("add", "add", 1, 2)).containsExactly(3);
            assertThatThrownBy(() -> pool.call("nothing", "f")).isInstanceOf(UnknownModuleException.class);
            assertThat(heard).hasSize(2);
            assertThat(heard.getFirst())
                    .isPositive()
                    .isEqualTo(pool.stats().get("add").consumedPoints());
            assertThat(heard.getLast()).as("no instance, no points").isEqualTo(-1);
        });
        withPointsHeard(new Engine(), 0, (pool, heard) -> {
            assertThat(pool.call("add", "add", 1, 2)).containsExactly(3);
            assertThat(heard).as("unmetered: unknown").containsExactly(-1L);
        });
    }

    @Test
    void observersCombineInOrder() {
        WasmerObserver a = new Recording("a: ", new ArrayList<>());
        assertThat(WasmerObserver.of(List.of())).isSameAs(WasmerObserver.NONE);
        assertThat(WasmerObserver.of(List.of(a))).isSameAs(a);
        List<String> events = new ArrayList<>();
        WasmerObserver both = WasmerObserver.of(List.of(new Recording("a: ", events), new Recording("b: ", events)));
        both.moduleLoaded("m", 1);
        both.instantiated("m", 2);
        WasmerObserver.CallScope scope = both.callStarted("m", "f");
        scope.ended(3, -1, null);
        assertThat(events)
                .containsExactly(
                        "a: loaded m",
                        "b: loaded m",
                        "a: instantiated m",
                        "b: instantiated m",
                        "a: started m.f",
                        "b: started m.f",
                        "a: ended m.f success",
                        "b: ended m.f success");
        assertThat(WasmerObserver.NONE.callStarted("m", "f")).isSameAs(WasmerObserver.CallScope.NONE);
        WasmerObserver.NONE.moduleLoaded("m", 1); // observes nothing, and says so by not throwing
        WasmerObserver.NONE.instantiated("m", 1);
        WasmerObserver.CallScope.NONE.ended(1, -1, null);
        Runnable call = () -> {};
        assertThat(WasmerObserver.NONE.handOff(call)).isSameAs(call);
        List<String> wrapped = new ArrayList<>();
        WasmerObserver.of(List.of(new Wrapping("a", wrapped), new Wrapping("b", wrapped)))
                .handOff(() -> wrapped.add("call"))
                .run();
        assertThat(wrapped).as("the first observer's wrap is innermost").containsExactly("b", "a", "call");
    }

    /** Wraps each handed-off call in a step that writes its name down first. */
    record Wrapping(String name, List<String> steps) implements WasmerObserver {
        @Override
        public Runnable handOff(Runnable call) {
            return () -> {
                steps.add(name);
                call.run();
            };
        }
    }

    /** What the calling thread's call is: the context a tracer keeps in a thread-local. */
    static final ThreadLocal<String> CURRENT = new ThreadLocal<>();

    static final UnaryOperator<Runnable> CARRY = HandOffs.carrying(CURRENT);

    /** Puts each call in {@link #CURRENT} on the calling thread, and carries it to the thread that runs it. */
    static final class Propagating implements WasmerObserver {
        @Override
        public CallScope callStarted(String module, String function) {
            CURRENT.set(module + "." + function);
            return (nanos, points, failure) -> CURRENT.remove();
        }

        @Override
        public Runnable handOff(Runnable call) {
            return CARRY.apply(call);
        }
    }

    @Test
    void hostFunctionsSeeTheCallersContextOnTheThreadThatRunsTheWasm() throws Exception {
        List<String> seen = Collections.synchronizedList(new ArrayList<>());
        try (Engine engine = new Engine();
                ModuleCache cache = new ModuleCache(engine);
                WasmModules modules = WasmModules.builder(cache)
                        .module(
                                "host.wat",
                                "host",
                                ("(module (import \"env\" \"twice\" (func $t (param i32) (result i32)))"
                                                + " (func (export \"quadruple\") (param i32) (result i32)"
                                                + " local.get 0 call $t call $t))")
                                        .getBytes(UTF_8))
                        .build();
                WasmInstancePool pool = WasmInstancePool.builder(modules)
                        .limits(new ModuleLimits(0, Duration.ZERO, -1, 2))
                        .observer(new Propagating())
                        .imports((store, module) -> new Imports()
                                .define(
                                        "env",
                                        "twice",
                                        Func.host(store, FuncType.of(List.of(ValType.I32), List.of(ValType.I32)), c -> {
                                            Thread t = Thread.currentThread();
                                            seen.add((t.isVirtual() ? "virtual " : "platform ") + CURRENT.get());
                                            c.result(0, 2 * c.i32(0));
                                        })))
                        .build()) {
            assertThat(pool.call("host", "quadruple", 5)).containsExactly(20);
            Thread virtual = Thread.ofVirtual()
                    .start(() -> assertThat(pool.call("host", "quadruple", 6)).containsExactly(24));
            virtual.join();
            assertThat(seen)
                    .as("the virtual thread's call ran on a platform thread, in the caller's context")
                    .containsExactly(
                            "platform host.quadruple",
                            "platform host.quadruple",
                            "platform host.quadruple",
                            "platform host.quadruple");
            assertThat(CURRENT.get()).as("the scope ended with the call").isNull();
        }
    }

    @Test
    void anOutcomeIsSuccessTrapOrError() {
        @Nullable Throwable none = null;
        assertThat(WasmerObserver.Outcome.of(none)).isEqualTo(WasmerObserver.Outcome.SUCCESS);
        TrapException trap;
        try (Engine engine = new Engine();
                Store store = new Store(engine)) {
            Instance instance =
                    Instance.create(store, Module.compile(engine, "(module (func (export \"t\") unreachable))"));
            trap = catchThrowableOfType(
                    TrapException.class, () -> instance.func("t").call());
        }
        assertThat(WasmerObserver.Outcome.of(trap)).isEqualTo(WasmerObserver.Outcome.TRAP);
        assertThat(WasmerObserver.Outcome.of(new IllegalStateException())).isEqualTo(WasmerObserver.Outcome.ERROR);
        assertThat(WasmerObserver.Outcome.values())
                .extracting(WasmerObserver.Outcome::tag)
                .containsExactly("success", "trap", "error");
    }
}
