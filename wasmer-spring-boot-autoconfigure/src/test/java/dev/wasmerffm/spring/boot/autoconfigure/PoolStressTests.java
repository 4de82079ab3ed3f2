package dev.wasmerffm.spring.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wasmerffm.Instance;
import dev.wasmerffm.Store;
import dev.wasmerffm.spring.boot.modules.WasmInstancePool;
import dev.wasmerffm.spring.boot.modules.WasmModules;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntBinaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Eight threads on the pool and on the shared Store bean: every result right, and the pool never lends one instance
 * to two threads at once. Long size with {@code -Dwasmer.reliability=long} (see docs/reliability.md).
 */
class PoolStressTests {

    static final int CALLS = "long".equals(System.getProperty("wasmer.reliability")) ? 1_000_000 : 20_000;

    @Test
    void eightThreadsNeverShareAnInstance(@TempDir Path cache) throws Exception {
        try (ConfigurableApplicationContext ctx = new SpringApplicationBuilder(WasmerIntegrationTests.App.class)
                .web(WebApplicationType.NONE).properties("wasmer.cache.directory=" + cache, "wasmer.pool.size=3")
                .run(); ExecutorService threads = Executors.newFixedThreadPool(8)) {
            WasmInstancePool pool = ctx.getBean(WasmInstancePool.class);
            Instance shared = Instance.create(ctx.getBean(Store.class),
                    ctx.getBean(WasmModules.class).get("add").module());
            IntBinaryOperator sharedAdd = shared.func("add").asIntBinaryOperator();
            Set<Instance> lent = ConcurrentHashMap.newKeySet();
            List<Future<long[]>> results = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int base = t << 20;
                results.add(threads.submit(() -> {
                    long wrong = 0;
                    long shared2 = 0;
                    for (int i = 0; i < CALLS; i++) {
                        try (WasmInstancePool.Lease lease = pool.borrow("add")) {
                            shared2 += lent.add(lease.instance()) ? 0 : 1; // someone else holds it now?
                            wrong += (Integer) lease.instance().func("add").call(base, i & 0xFFFF)[0]
                                    == base + (i & 0xFFFF) ? 0 : 1;
                            lent.remove(lease.instance());
                        }
                        if (i % 16 == 0) {
                            wrong += sharedAdd.applyAsInt(base, i) == base + i ? 0 : 1;
                        }
                    }
                    return new long[] {wrong, shared2};
                }));
            }
            for (Future<long[]> f : results) {
                assertThat(f.get()).containsExactly(0, 0);
            }
            WasmInstancePool.Stats stats = pool.stats().get("add");
            assertThat(stats.created()).isBetween(1, 3);
            assertThat(stats.inUse()).isZero();
        }
    }
}
