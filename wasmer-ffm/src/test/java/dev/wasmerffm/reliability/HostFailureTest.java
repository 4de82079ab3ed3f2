package dev.wasmerffm.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.wasmerffm.Engine;
import dev.wasmerffm.Func;
import dev.wasmerffm.FuncType;
import dev.wasmerffm.Instance;
import dev.wasmerffm.Module;
import dev.wasmerffm.Scale;
import dev.wasmerffm.Store;
import dev.wasmerffm.TrapException;
import dev.wasmerffm.TrapKind;
import dev.wasmerffm.ValType;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** Whatever a host function throws, and however the store is misused, only exceptions come out. */
class HostFailureTest {

    static final String CALLS_HOST = """
            (module (import "env" "h" (func $h (param i32) (result i32)))
              (func (export "run") (param i32) (result i32) local.get 0 call $h)
              (func (export "ok") (result i32) i32.const 7))
            """;

    static int recurse(int n) {
        return n == 0 ? 0 : 1 + recurse(n + 1);
    }

    @Test
    void checkedUncheckedErrorsStackOverflowAndOutOfMemoryComeBackAsCauses() {
        Throwable[] thrown = {new IOException("io"), new IllegalStateException("state"), new AssertionError("assert")};
        try (Engine engine = new Engine();
                Store store = new Store(engine);
                Module m = Module.compile(engine, CALLS_HOST)) {
            Func h = Func.host(store, FuncType.of(List.of(ValType.I32), List.of(ValType.I32)), c -> {
                int which = c.i32(0);
                switch (which) {
                    case 0, 1, 2 ->
                        throw (Exception) (thrown[which] instanceof Exception e ? e : new Exception(thrown[which]));
                    case 3 -> c.result(0, recurse(1)); // deep Java recursion: StackOverflowError
                    case 4 -> c.result(0, new long[Integer.MAX_VALUE - 8].length); // OutOfMemoryError
                    default -> c.result(0, which);
                }
            });
            Instance in = Instance.create(store, m, h);
            Func run = in.func("run");
            for (int round = 0; round < Scale.of(50, 2_000); round++) {
                assertThat(catchThrowable(() -> run.call(0)).getCause()).isSameAs(thrown[0]);
                assertThat(catchThrowable(() -> run.call(1)).getCause()).isSameAs(thrown[1]);
                assertThat(catchThrowable(() -> run.call(2)).getCause().getCause())
                        .isSameAs(thrown[2]);
                Throwable soe = catchThrowable(() -> run.call(3));
                assertThat(soe).isInstanceOf(TrapException.class);
                assertThat(((TrapException) soe).kind()).isEqualTo(TrapKind.HOST);
                assertThat(soe.getCause()).isInstanceOf(StackOverflowError.class);
                assertThat(run.call(9)).containsExactly(9); // the store works after each
            }
            assertThat(catchThrowable(() -> run.call(4)).getCause()).isInstanceOf(OutOfMemoryError.class);
            assertThat(in.func("ok").call()).containsExactly(7);
        }
    }

    @Test
    void closingAStoreWhileAnotherThreadIsInsideItDefersTheFreeUntilTheCallReturns() throws Exception {
        CountDownLatch inside = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        try (Engine engine = new Engine();
                Module m = Module.compile(engine, CALLS_HOST);
                ExecutorService pool = Executors.newSingleThreadExecutor()) {
            Store store = new Store(engine);
            Func h = Func.host(store, FuncType.of(List.of(ValType.I32), List.of(ValType.I32)), c -> {
                inside.countDown();
                release.await();
                c.result(0, c.i32(0) * 2);
            });
            Instance in = Instance.create(store, m, h);
            Future<Object[]> call = pool.submit(() -> in.func("run").call(21));
            inside.await();
            store.close(); // returns at once: the running call finishes first
            assertThat(store.isClosed()).isTrue();
            assertThat(store.isFreed()).isFalse();
            release.countDown();
            assertThat(call.get()).containsExactly(42);
            assertThat(store.isFreed()).isTrue();
            assertThat(catchThrowable(() -> in.func("ok").call())).isInstanceOf(IllegalStateException.class);
        }
    }
}
