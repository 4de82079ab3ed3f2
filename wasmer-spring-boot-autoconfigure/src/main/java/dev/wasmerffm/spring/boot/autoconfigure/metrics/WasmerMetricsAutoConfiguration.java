package dev.wasmerffm.spring.boot.autoconfigure.metrics;

import dev.wasmerffm.cache.ModuleCache;
import dev.wasmerffm.pool.WasmInstancePool;
import dev.wasmerffm.spring.boot.autoconfigure.WasmerAutoConfiguration;
import dev.wasmerffm.spring.boot.metrics.WasmerMeterObserver;
import dev.wasmerffm.spring.boot.metrics.WasmerMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/** Micrometer meters of the module cache, metering, loads, instantiations and traps. */
@AutoConfiguration(
        after = WasmerAutoConfiguration.class,
        afterName = "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration")
@ConditionalOnClass(MeterBinder.class)
@ConditionalOnBean({MeterRegistry.class, ModuleCache.class, WasmInstancePool.class})
public final class WasmerMetricsAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    WasmerMetrics wasmerMetrics(ModuleCache cache, WasmInstancePool pool) {
        return new WasmerMetrics(cache, pool);
    }

    /**
     * Times loads and instantiations, and counts traps (calls are timed by the {@code wasmer.call} observation). Boot's
     * own toggles turn meters off, e.g. {@code management.metrics.enable.wasmer.traps=false} (or a
     * {@code MeterFilter} bean): the registry then hands out no-op meters.
     */
    @Bean
    @ConditionalOnMissingBean
    WasmerMeterObserver wasmerMeterObserver(MeterRegistry registry) {
        return new WasmerMeterObserver(registry);
    }
}
