package dev.wasmerffm.spring.boot.autoconfigure.health;

import dev.wasmerffm.Engine;
import dev.wasmerffm.pool.WasmModules;
import dev.wasmerffm.spring.boot.autoconfigure.WasmerAutoConfiguration;
import dev.wasmerffm.spring.boot.health.WasmerHealthIndicator;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.context.annotation.Bean;

/** The {@code wasmer} health indicator ({@code management.health.wasmer.enabled}). */
@AutoConfiguration(after = WasmerAutoConfiguration.class)
@ConditionalOnClass(AbstractHealthIndicator.class)
@ConditionalOnBean({Engine.class, WasmModules.class})
@ConditionalOnEnabledHealthIndicator("wasmer")
public final class WasmerHealthContributorAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean(name = "wasmerHealthIndicator")
    WasmerHealthIndicator wasmerHealthIndicator(Engine engine, WasmModules modules) {
        return new WasmerHealthIndicator(engine, modules);
    }
}
