package dev.wasmerffm.spring.boot.pool;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wasmerffm.Instance;
import dev.wasmerffm.Store;
import dev.wasmerffm.spring.boot.autoconfigure.WasmerIntegrationTests;
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
                        .web(WebApplicationType.NONE)
                        .properties("wasmer.cache.directory=" + cache, "wasmer.pool.size=3")
                        .run();
                ExecutorService threads = Executors.newFixedThreadPool(8)) {
            WasmInstancePool pool = ctx.getBean(WasmInstancePool.class);
            Instance shared = Instance.create(
                    ctx.getBean(Store.class),
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
                                            == base + (i & 0xFFFF)
                                    ? 0
                                    : 1;
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
            assertThat(stats.created()).isBetween(0, 3); // 0 if the last leases ended instances' max-calls
            assertThat(stats.recycled()).isGreaterThanOrEqualTo(8L * CALLS / 10_000 - 3); // max-calls 10 000
            assertThat(stats.inUse()).isZero();
        }
    }

    static long status(String field) throws Exception {
        return java.nio.file.Files.readAllLines(Path.of("/proc/self/status")).stream()
                .filter(l -> l.startsWith(field + ":"))
                .mapToLong(l -> Long.parseLong(l.replaceAll("\\D", "")))
                .findFirst()
                .orElseThrow();
    }

    /**
     * Request after request through the pool, which replaces each instance (and frees its store) after
     * {@code max-calls} leases or a trap: address space and RSS stay flat, where a long-lived store grew 8 GiB of
     * address space per instance.
     */
    @Test
    void aLongServingPoolStaysFlat(@TempDir Path cache) throws Exception {
        try (ConfigurableApplicationContext ctx = new SpringApplicationBuilder(WasmerIntegrationTests.App.class)
                .web(WebApplicationType.NONE)
                .properties(
                        "wasmer.cache.directory=" + cache,
                        "wasmer.pool.size=2",
                        "wasmer.pool.max-calls=100",
                        "wasmer.metering.enabled=true",
                        "wasmer.metering.initial-points=100000")
                .run()) {
            WasmInstancePool pool = ctx.getBean(WasmInstancePool.class);
            int requests = "long".equals(System.getProperty("wasmer.reliability")) ? 1_000_000 : 60_000;
            int warm = requests / 10;
            long vmBefore = 0;
            long rssBefore = 0;
            for (int i = 0; i < requests; i++) {
                if (i == warm) {
                    System.gc();
                    vmBefore = status("VmSize");
                    rssBefore = status("VmRSS");
                }
                if ((Integer) pool.call("add", "add", i, 1)[0] != i + 1) {
                    throw new AssertionError("wrong result at " + i);
                }
                if (i % 1000 == 999) {
                    try {
                        pool.call("spin", "spin");
                    } catch (dev.wasmerffm.MeteringExhaustedException expected) {
                        // a trap: that instance is replaced
                    }
                }
            }
            System.gc();
            long vmAfter = status("VmSize");
            long rssAfter = status("VmRSS");
            WasmInstancePool.Stats stats = pool.stats().get("add");
            System.out.printf(
                    "pool: %d requests, %d instances replaced, VmSize %d -> %d KiB (%+.1f%%), RSS %d -> %d"
                            + " KiB (%+.1f%%)%n",
                    requests,
                    stats.recycled(),
                    vmBefore,
                    vmAfter,
                    100.0 * (vmAfter - vmBefore) / vmBefore,
                    rssBefore,
                    rssAfter,
                    100.0 * (rssAfter - rssBefore) / rssBefore);
            assertThat(stats.recycled()).isGreaterThanOrEqualTo(requests / 100 - 2);
            assertThat(pool.stats().get("spin").recycled()).isGreaterThanOrEqualTo(requests / 1000 - 1);
            assertThat((double) vmAfter).isBetween(vmBefore * 0.95, vmBefore * 1.05);
        }
    }
}
