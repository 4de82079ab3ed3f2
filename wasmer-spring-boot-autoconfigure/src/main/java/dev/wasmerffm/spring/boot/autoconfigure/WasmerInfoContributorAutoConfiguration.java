package dev.wasmerffm.spring.boot.autoconfigure;

import dev.wasmerffm.Engine;
import dev.wasmerffm.spring.boot.info.WasmerInfoContributor;
import org.springframework.boot.actuate.autoconfigure.info.ConditionalOnEnabledInfoContributor;
import org.springframework.boot.actuate.info.InfoContributor;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/** The {@code wasmer} info contributor ({@code management.info.wasmer.enabled}). */
@AutoConfiguration(after = WasmerAutoConfiguration.class)
@ConditionalOnClass({InfoContributor.class, ConditionalOnEnabledInfoContributor.class})
@ConditionalOnBean(Engine.class)
@ConditionalOnEnabledInfoContributor("wasmer")
public final class WasmerInfoContributorAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    WasmerInfoContributor wasmerInfoContributor(Engine engine) {
        return new WasmerInfoContributor(engine);
    }
}
