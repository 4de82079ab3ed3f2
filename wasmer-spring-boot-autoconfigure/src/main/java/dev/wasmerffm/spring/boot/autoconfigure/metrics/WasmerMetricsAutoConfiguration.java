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
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/** Micrometer meters of the module cache, metering, loads, instantiations and pooled calls. */
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

    /** Times every pooled call; {@code wasmer.metrics.calls=false} takes it off the call path. */
    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnBooleanProperty(name = "wasmer.metrics.calls", matchIfMissing = true)
    WasmerMeterObserver wasmerMeterObserver(MeterRegistry registry) {
        return new WasmerMeterObserver(registry);
    }
}
