package dev.wasmerffm.spring.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wasmerffm.spring.boot.info.WasmerInfoContributor;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.actuate.info.Info;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

class WasmerInfoContributorAutoConfigurationTests {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(
                    AutoConfigurations.of(WasmerAutoConfiguration.class, WasmerInfoContributorAutoConfiguration.class))
            .withPropertyValues("wasmer.cache.enabled=false");

    @Test
    void contributesVersionAndBackend() {
        runner.run(ctx -> {
            Info.Builder info = new Info.Builder();
            ctx.getBean(WasmerInfoContributor.class).contribute(info);
            assertThat(info.build().get("wasmer")).isEqualTo(Map.of("version", "7.4.2", "backend", "cranelift"));
        });
    }

    @Test
    void canBeDisabled() {
        runner.withPropertyValues("management.info.wasmer.enabled=false")
                .run(ctx -> assertThat(ctx).hasNotFailed().doesNotHaveBean(WasmerInfoContributor.class));
    }
}
