package dev.wasmerffm.spring.boot.metrics;

import dev.wasmerffm.cache.ModuleCache;
import dev.wasmerffm.pool.WasmInstancePool;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.function.ToLongFunction;

/**
 * Module cache and metering meters: {@code wasmer.cache.gets{result=hit|miss}},
 * {@code wasmer.cache.loads{level=disk|shared}}, {@code wasmer.cache.compiles},
 * {@code wasmer.cache.rejected{level=disk|shared}}, {@code wasmer.cache.shared.errors}, {@code wasmer.cache.size},
 * {@code wasmer.metering.consumed} (in points: Prometheus shows wasmer_metering_consumed_points_total) and {@code wasmer.metering.exhaustions}. All are read from counters the
 * cache and pool keep anyway: nothing is added to the call path.
 */
public class WasmerMetrics implements MeterBinder {

    private final ModuleCache cache;
    private final WasmInstancePool pool;

    public WasmerMetrics(ModuleCache cache, WasmInstancePool pool) {
        this.cache = cache;
        this.pool = pool;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        counter(
                registry,
                "wasmer.cache.gets",
                "Module cache lookups",
                c -> c.stats().hits(),
                "result",
                "hit");
        counter(
                registry,
                "wasmer.cache.gets",
                "Module cache lookups",
                c -> c.stats().misses(),
                "result",
                "miss");
        counter(
                registry,
                "wasmer.cache.loads",
                "Modules loaded from a cache level",
                c -> c.stats().diskLoads(),
                "level",
                "disk");
        counter(
                registry,
                "wasmer.cache.loads",
                "Modules loaded from a cache level",
                c -> c.stats().sharedLoads(),
                "level",
                "shared");
        counter(registry, "wasmer.cache.compiles", "Modules compiled", c -> c.stats()
                .compiles());
        counter(
                registry,
                "wasmer.cache.rejected",
                "Cache entries refused (bad MAC or unusable) and recompiled",
                c -> c.stats().rejected(),
                "level",
                "disk");
        counter(
                registry,
                "wasmer.cache.rejected",
                "Cache entries refused (bad MAC or unusable) and recompiled",
                c -> c.stats().sharedRejected(),
                "level",
                "shared");
        counter(registry, "wasmer.cache.shared.errors", "Failed reads and writes of the shared cache", c -> c.stats()
                .sharedErrors());
        Gauge.builder("wasmer.cache.size", cache, c -> c.stats().size())
                .description("Modules in memory")
                .baseUnit("modules")
                .register(registry);
        FunctionCounter.builder("wasmer.metering.consumed", pool, p -> p.stats().values().stream()
                        .mapToLong(WasmInstancePool.Stats::consumedPoints)
                        .sum())
                .description("Metering points used by pooled calls")
                .baseUnit("points")
                .register(registry);
        FunctionCounter.builder("wasmer.metering.exhaustions", pool, p -> p.stats().values().stream()
                        .mapToLong(WasmInstancePool.Stats::exhaustions)
                        .sum())
                .description("Pooled calls stopped for lack of metering points")
                .register(registry);
    }

    private void counter(
            MeterRegistry registry,
            String name,
            String description,
            ToLongFunction<ModuleCache> value,
            String... tags) {
        FunctionCounter.builder(name, cache, c -> value.applyAsLong(c))
                .description(description)
                .tags(tags)
                .register(registry);
    }
}
