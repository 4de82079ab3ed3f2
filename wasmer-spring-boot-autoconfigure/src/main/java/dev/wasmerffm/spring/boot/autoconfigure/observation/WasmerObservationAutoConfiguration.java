package dev.wasmerffm.spring.boot.autoconfigure.observation;

import dev.wasmerffm.Engine;
import dev.wasmerffm.spring.boot.autoconfigure.WasmerAutoConfiguration;
import dev.wasmerffm.spring.boot.observation.WasmCallObservationConvention;
import dev.wasmerffm.spring.boot.observation.WasmerObservationObserver;
import io.micrometer.observation.ObservationRegistry;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * An Observation per call through the instance pool, when the application has an {@link ObservationRegistry}: Boot's
 * meter handler derives the call timer from it and a tracer a span. A {@link WasmCallObservationConvention} bean
 * names and tags it; {@code management.observations.enable.wasmer=false} turns it off.
 */
@AutoConfiguration(
        after = WasmerAutoConfiguration.class,
        afterName = "org.springframework.boot.micrometer.observation.autoconfigure.ObservationAutoConfiguration")
@ConditionalOnClass(ObservationRegistry.class)
@ConditionalOnBean({ObservationRegistry.class, Engine.class})
public final class WasmerObservationAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    WasmerObservationObserver wasmerObservationObserver(
            ObservationRegistry registry, ObjectProvider<WasmCallObservationConvention> convention) {
        return new WasmerObservationObserver(registry, convention.getIfUnique());
    }
}
