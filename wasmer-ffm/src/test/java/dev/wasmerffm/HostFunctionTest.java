package dev.wasmerffm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class HostFunctionTest {

    static final FuncType I32_I32_TO_I32 = FuncType.of(List.of(ValType.I32, ValType.I32), List.of(ValType.I32));

    static final String CALLS_HOST = """
            (module
              (import "env" "host" (func $host (param i32 i32) (result i32)))
              (memory (export "memory") 1)
              (data (i32.const 16) "hello from wasm")
              (func (export "run") (param i32 i32) (result i32)
                local.get 0 local.get 1 call $host)
              (func (export "double") (param i32) (result i32) local.get 0 i32.const 2 i32.mul))
            """;

    Engine engine;
    Store store;
    Module module;

    @BeforeEach
    void setUp() {
        engine = new Engine();
        store = new Store(engine);
        module = Module.compile(engine, CALLS_HOST);
    }

    @AfterEach
    void tearDown() {
        store.close();
        module.close();
        engine.close();
    }

    Instance instantiate(HostFunction fn) {
        return Instance.create(store, module, Func.host(store, I32_I32_TO_I32, fn));
    }

    @Test
    void wasmCallsJava() {
        Instance instance = instantiate(c -> c.result(0, c.i32(0) * 10 + c.i32(1)));
        assertThat(instance.func("run").asIntBinaryOperator().applyAsInt(4, 2)).isEqualTo(42);
        assertThat(instance.func("run").call(1, 2)).containsExactly(12);
    }

    @Test
    void aThrowingHostFunctionTrapsAndKeepsTheExactCause10000Times() {
        Instance instance = instantiate(c -> {
            throw new IllegalArgumentException("bad input " + c.i32(0));
        });
        Func run = instance.func("run");
        for (int i = 0; i < 10_000; i++) {
            int n = i;
            assertThatThrownBy(() -> run.call(n, 0)).isInstanceOfSatisfying(TrapException.class, e -> {
                assertThat(e.kind()).isEqualTo(TrapKind.HOST);
                assertThat(e.getCause())
                        .isInstanceOf(IllegalArgumentException.class)
                        .hasMessage("bad input " + n);
            });
        }
        assertThat(instance.func("double").asIntUnaryOperator().applyAsInt(21)).isEqualTo(42);
    }

    @Test
    void checkedExceptionsAndErrorsAreCausesToo() {
        IOException io = new IOException("disk");
        Instance instance = instantiate(c -> {
            if (c.i32(0) == 0) {
                throw io;
            }
            throw new StackOverflowError("deep");
        });
        assertThat(catchThrowable(() -> instance.func("run").call(0, 0))).hasCause(io);
        assertThat(catchThrowable(() -> instance.func("run").call(1, 0)).getCause())
                .isInstanceOf(StackOverflowError.class);
        assertThat(instance.func("double").call(4)).containsExactly(8);
    }

    /** An exception whose {@code toString()} (user code) throws. */
    static final class Unprintable extends RuntimeException {
        @Override
        public String toString() {
            throw new NullPointerException("toString failed");
        }
    }

    @Test
    void aHostExceptionWhoseToStringThrowsIsStillATrapWithThatCause() {
        Unprintable thrown = new Unprintable();
        Instance instance = instantiate(c -> {
            throw thrown;
        });
        assertThatThrownBy(() -> instance.func("run").call(1, 2)).isInstanceOfSatisfying(TrapException.class, e -> {
            assertThat(e.kind()).isEqualTo(TrapKind.HOST);
            assertThat(e.getCause()).isSameAs(thrown);
            assertThat(e.trapMessage())
                    .isEqualTo(Unprintable.class.getName() + " (its toString() threw java.lang.NullPointerException)");
        });
        assertThat(instance.func("double").call(4)).containsExactly(8);
    }

    @Test
    void aHostFunctionReentersItsOwnStoreAndReadsTheCallersMemory() {
        AtomicInteger seen = new AtomicInteger();
        Instance[] self = new Instance[1];
        Instance instance = instantiate(c -> {
            String text = new String(c.memory().read(c.i32(0), c.i32(1)), StandardCharsets.UTF_8);
            assertThat(text).isEqualTo("hello from wasm");
            assertThat(c.caller()).isSameAs(self[0]);
            seen.incrementAndGet();
            // calling back into the same store from the host function, on the same thread
            c.result(0, (Integer) self[0].func("double").call(text.length())[0]);
        });
        self[0] = instance;
        assertThat(instance.func("run").call(16, 15)).containsExactly(30);
        assertThat(seen).hasValue(1);
    }

    @Test
    void callingAHostFunctionDirectlyFromJava() {
        Func f = Func.host(
                store,
                FuncType.of(List.of(ValType.I64, ValType.F64), List.of(ValType.F64, ValType.I64)),
                c -> c.result(0, c.f64(1) * 2).result(1, c.i64(0) + 1));
        assertThat(f.call(41L, 1.5)).containsExactly(3.0, 42L);
        assertThat(f.paramArity()).isEqualTo(2);
        assertThat(f.resultArity()).isEqualTo(2);
        assertThat(f.type().results()).containsExactly(ValType.F64, ValType.I64);
        HostCall[] escaped = new HostCall[1];
        Func noMemory = Func.host(store, FuncType.of(List.of(), List.of()), c -> {
            escaped[0] = c;
            c.memory();
        });
        assertThat(catchThrowable(noMemory::call).getCause())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("no calling instance");
    }

    @Test
    void wrongResultTypeFromTheHostIsATrapWithCause() {
        Instance instance = instantiate(c -> c.result(0, 1L));
        assertThat(catchThrowable(() -> instance.func("run").call(1, 2)).getCause())
                .isInstanceOf(WasmArgumentException.class)
                .hasMessageContaining("is i32, not i64");
    }

    @Test
    void unsetResultsAreZero() {
        Instance instance = instantiate(c -> {});
        assertThat(instance.func("run").call(1, 2)).containsExactly(0);
    }

    @Test
    void boxedResultsAndParams() {
        Instance instance = instantiate(c -> c.results(((Integer) c.params()[0]) + (Integer) c.param(1)));
        assertThat(instance.func("run").call(40, 2)).containsExactly(42);
        Instance wrongCount = Instance.create(store, module, Func.host(store, I32_I32_TO_I32, c -> c.results(1, 2)));
        assertThat(catchThrowable(() -> wrongCount.func("run").call(0, 0)).getCause())
                .isInstanceOf(WasmArgumentException.class)
                .hasMessageContaining("must return 1 values");
    }
}
