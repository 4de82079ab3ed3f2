package dev.wasmerffm;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * libwasmer's SIGSEGV/SIGILL/SIGFPE handlers chain to the JVM's: wasm traps and the JVM's own implicit null checks
 * (which are SIGSEGVs in JIT-compiled code) interleave on several threads without a crash.
 */
class SignalCoexistenceTest {

    static final int ITERATIONS = 100_000;

    static final class Box {
        int value;
    }

    /** Hot, JIT-compiled: the null check is a SIGSEGV on a null {@code box}. */
    static int read(Box box) {
        return box.value;
    }

    @Test
    void trapsAndNullPointerExceptionsInterleave() throws Exception {
        try (Engine engine = new Engine();
                Module module = Module.compile(engine, TestModules.TRAPS);
                ExecutorService pool = Executors.newFixedThreadPool(4)) {
            List<Future<long[]>> futures = new ArrayList<>();
            for (String export : List.of("oob", "div0")) {
                futures.add(pool.submit(() -> {
                    long traps = 0;
                    long ok = 0;
                    try (Store store = new Store(engine);
                            Instance in = Instance.create(store, module)) {
                        Func f = in.func(export);
                        Func good = in.func("ok");
                        for (int i = 0; i < ITERATIONS / 10; i++) {
                            try {
                                f.call();
                            } catch (TrapException e) {
                                traps++;
                            }
                            ok += (Integer) good.call()[0] == 7 ? 1 : 0;
                        }
                    }
                    return new long[] {traps, ok};
                }));
            }
            for (int t = 0; t < 2; t++) {
                futures.add(pool.submit(() -> {
                    Box box = new Box();
                    box.value = 1;
                    long npes = 0;
                    long sum = 0;
                    for (int i = 0; i < ITERATIONS; i++) {
                        try {
                            sum += read(i % 100 == 0 ? null : box);
                        } catch (NullPointerException e) {
                            npes++;
                        }
                        if (i % 20_000 == 0) {
                            System.gc();
                        }
                    }
                    return new long[] {npes, sum};
                }));
            }
            assertThat(futures.get(0).get()).containsExactly(ITERATIONS / 10, ITERATIONS / 10);
            assertThat(futures.get(1).get()).containsExactly(ITERATIONS / 10, ITERATIONS / 10);
            assertThat(futures.get(2).get()).containsExactly(ITERATIONS / 100, ITERATIONS - ITERATIONS / 100);
            assertThat(futures.get(3).get()).containsExactly(ITERATIONS / 100, ITERATIONS - ITERATIONS / 100);
        }
    }
}
