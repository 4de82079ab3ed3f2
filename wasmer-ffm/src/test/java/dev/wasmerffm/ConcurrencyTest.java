package dev.wasmerffm;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntBinaryOperator;
import org.junit.jupiter.api.Test;

/** Engines and modules are shared; stores serialize their callers. */
class ConcurrencyTest {

    static final int CALLS = 100_000;

    @Test
    void twoThreadsWithTheirOwnStoresShareOneModule() throws Exception {
        try (Engine engine = new Engine();
                Module module = Module.compile(engine, TestModules.ADD);
                ExecutorService pool = Executors.newFixedThreadPool(2)) {
            List<Future<Long>> results = new ArrayList<>();
            for (int t = 0; t < 2; t++) {
                int base = t * 1_000_000;
                results.add(pool.submit(() -> {
                    try (Store store = new Store(engine);
                            Instance in = Instance.create(store, module)) {
                        IntBinaryOperator add = in.func("add").asIntBinaryOperator();
                        long wrong = 0;
                        for (int i = 0; i < CALLS; i++) {
                            wrong += add.applyAsInt(base, i) == base + i ? 0 : 1;
                        }
                        return wrong;
                    }
                }));
            }
            for (Future<Long> r : results) {
                assertThat(r.get()).isZero();
            }
        }
    }

    @Test
    void twoThreadsSharingOneStoreGetCorrectResults() throws Exception {
        try (Engine engine = new Engine();
                Store store = new Store(engine);
                Module module = Module.compile(engine, TestModules.ADD);
                Instance in = Instance.create(store, module);
                ExecutorService pool = Executors.newFixedThreadPool(2)) {
            IntBinaryOperator add = in.func("add").asIntBinaryOperator();
            Func generic = in.func("add");
            List<Future<Long>> results = new ArrayList<>();
            for (int t = 0; t < 2; t++) {
                boolean typed = t == 0;
                results.add(pool.submit(() -> {
                    long wrong = 0;
                    for (int i = 0; i < CALLS / 2; i++) {
                        int r = typed ? add.applyAsInt(i, 1) : (Integer) generic.call(i, 1)[0];
                        wrong += r == i + 1 ? 0 : 1;
                    }
                    return wrong;
                }));
            }
            for (Future<Long> r : results) {
                assertThat(r.get()).isZero();
            }
        }
    }
}
