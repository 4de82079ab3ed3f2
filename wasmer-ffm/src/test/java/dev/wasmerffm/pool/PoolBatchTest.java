package dev.wasmerffm.pool;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wasmerffm.BatchTrapException;
import dev.wasmerffm.Engine;
import dev.wasmerffm.WasmArgumentException;
import dev.wasmerffm.cache.ModuleCache;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** Batched calls on pooled instances: each thread's rows in one crossing, on an instance of its own. */
class PoolBatchTest {

    @Test
    void batchesOnTwoThreadsWithPooledInstances() throws Exception {
        try (Engine engine = new Engine();
                ModuleCache cache = new ModuleCache(engine);
                WasmModules modules = WasmModules.builder(cache)
                        .module("add.wat", "add", WasmInstancePoolTest.ADD.getBytes(UTF_8))
                        .module(
                                "div.wat",
                                "div",
                                ("(module (func (export \"div\") (param i32 i32) (result i32)"
                                                + " local.get 0 local.get 1 i32.div_s))")
                                        .getBytes(UTF_8))
                        .build();
                WasmInstancePool pool = WasmInstancePool.builder(modules)
                        .limits(new ModuleLimits(0, Duration.ZERO, -1, 2))
                        .build();
                ExecutorService threads = Executors.newFixedThreadPool(2)) {
            int n = 100_000;
            List<Future<int[]>> futures = new ArrayList<>();
            for (int t = 0; t < 2; t++) {
                int base = t * 1_000_000;
                futures.add(threads.submit(() -> {
                    int[] a = new int[n];
                    int[] b = new int[n];
                    int[] sums = new int[n];
                    for (int round = 0; round < 10; round++) {
                        for (int k = 0; k < n; k++) {
                            a[k] = base + k;
                            b[k] = round;
                        }
                        pool.batch("add", "add", n, new Object[] {a, b}, new Object[] {sums});
                        for (int k = 0; k < n; k++) {
                            if (sums[k] != base + k + round) {
                                throw new AssertionError("row " + k + " of round " + round + ": " + sums[k]);
                            }
                        }
                    }
                    return sums;
                }));
            }
            assertThat(futures.get(0).get()[7]).isEqualTo(7 + 9);
            assertThat(futures.get(1).get()[7]).isEqualTo(1_000_007 + 9);
            assertThat(pool.stats().get("add").created()).isBetween(1, 2);
            assertThatThrownBy(() -> pool.batch(
                            "add", "add", 1, new Object[] {new long[1], new int[1]}, new Object[] {new int[1]}))
                    .isInstanceOf(WasmArgumentException.class)
                    .hasMessageContaining("argument column 0");
            assertThatThrownBy(() -> pool.batch(
                            "div", "div", 3, new Object[] {new int[] {6, 6, 6}, new int[] {2, 0, 3}}, new Object[] {
                                new int[3]
                            }))
                    .isInstanceOf(BatchTrapException.class)
                    .hasMessageContaining("row 1");
            assertThat(pool.stats().get("div").recycled())
                    .as("the trapping row's instance is replaced")
                    .isEqualTo(1);
        }
    }
}
