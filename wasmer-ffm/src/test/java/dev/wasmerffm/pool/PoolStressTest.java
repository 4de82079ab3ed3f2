package dev.wasmerffm.pool;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.wasmerffm.Config;
import dev.wasmerffm.Engine;
import dev.wasmerffm.Instance;
import dev.wasmerffm.Metering;
import dev.wasmerffm.Store;
import dev.wasmerffm.cache.ModuleCache;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntBinaryOperator;
import org.junit.jupiter.api.Test;

/**
 * Eight threads on the pool and on one shared Store: every result right, and the pool never lends one instance to
 * two threads at once. Long size with {@code -Dwasmer.reliability=long} (see docs/reliability.md).
 */
class PoolStressTest {

    static final int CALLS = "long".equals(System.getProperty("wasmer.reliability")) ? 1_000_000 : 20_000;

    static WasmModules addAndSpin(ModuleCache cache) {
        return WasmModules.builder(cache)
                .module("add.wat", "add", WasmInstancePoolTest.ADD.getBytes(UTF_8))
                .module("spin.wat", "spin", WasmInstancePoolTest.SPIN.getBytes(UTF_8))
                .build();
    }

    @Test
    void eightThreadsNeverShareAnInstance() throws Exception {
        try (Engine engine = new Engine();
                ModuleCache cache = new ModuleCache(engine);
                WasmModules modules = addAndSpin(cache);
                WasmInstancePool pool = WasmInstancePool.builder(modules)
                        .limits(new ModuleLimits(0, Duration.ZERO, -1, 3))
                        .build();
                Store store = new Store(engine);
                ExecutorService threads = Executors.newFixedThreadPool(8)) {
            Instance shared = Instance.create(store, modules.get("add").module());
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
     * {@code maxCalls} leases or a trap: address space and RSS stay flat, where a long-lived store grew 8 GiB of
     * address space per instance.
     */
    @Test
    void aLongServingPoolStaysFlat() throws Exception {
        try (Engine engine = new Engine(new Config().metering(Metering.of(100_000)));
                ModuleCache cache = new ModuleCache(engine);
                WasmModules modules = addAndSpin(cache);
                WasmInstancePool pool = WasmInstancePool.builder(modules)
                        .limits(new ModuleLimits(100_000, Duration.ZERO, -1, 2))
                        .maxCalls(100)
                        .build()) {
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
