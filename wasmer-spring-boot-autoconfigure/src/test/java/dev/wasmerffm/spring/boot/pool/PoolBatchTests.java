package dev.wasmerffm.spring.boot.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wasmerffm.WasmArgumentException;
import dev.wasmerffm.spring.boot.autoconfigure.WasmerIntegrationTests;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/** Batched calls on pooled instances: each thread's rows in one crossing, on an instance of its own. */
class PoolBatchTests {

    @Test
    void batchesOnTwoThreadsWithPooledInstances(@TempDir Path cache) throws Exception {
        try (ConfigurableApplicationContext ctx = new SpringApplicationBuilder(WasmerIntegrationTests.App.class)
                        .web(WebApplicationType.NONE)
                        .properties("wasmer.cache.directory=" + cache, "wasmer.pool.size=2")
                        .run();
                ExecutorService threads = Executors.newFixedThreadPool(2)) {
            WasmInstancePool pool = ctx.getBean(WasmInstancePool.class);
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
        }
    }
}
