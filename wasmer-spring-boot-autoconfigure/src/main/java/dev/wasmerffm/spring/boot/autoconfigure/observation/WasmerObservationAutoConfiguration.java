package dev.wasmerffm.spring.boot.autoconfigure.observation;

import dev.wasmerffm.Engine;
import dev.wasmerffm.spring.boot.autoconfigure.WasmerAutoConfiguration;
import dev.wasmerffm.spring.boot.observation.WasmerObservationObserver;
import io.micrometer.observation.ObservationRegistry;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/** An Observation per pooled call, when the application has an {@link ObservationRegistry}. */
@AutoConfiguration(
        after = WasmerAutoConfiguration.class,
        afterName = "org.springframework.boot.micrometer.observation.autoconfigure.ObservationAutoConfiguration")
@ConditionalOnClass(ObservationRegistry.class)
@ConditionalOnBean({ObservationRegistry.class, Engine.class})
public final class WasmerObservationAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    WasmerObservationObserver wasmerObservationObserver(ObservationRegistry registry) {
        return new WasmerObservationObserver(registry);
    }
}
