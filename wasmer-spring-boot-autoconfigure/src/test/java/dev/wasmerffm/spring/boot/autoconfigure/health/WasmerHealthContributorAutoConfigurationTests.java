package dev.wasmerffm.spring.boot.autoconfigure.health;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wasmerffm.Engine;
import dev.wasmerffm.cache.ModuleCache;
import dev.wasmerffm.pool.WasmModules;
import dev.wasmerffm.spring.boot.autoconfigure.WasmerAutoConfiguration;
import dev.wasmerffm.spring.boot.health.WasmerHealthIndicator;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

class WasmerHealthContributorAutoConfigurationTests {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(
                    WasmerAutoConfiguration.class, WasmerHealthContributorAutoConfiguration.class))
            .withPropertyValues("wasmer.cache.enabled=false");

    @Test
    void theHealthProbeReadsStateOnly() {
        runner.run(ctx -> {
            WasmerHealthIndicator health = ctx.getBean(WasmerHealthIndicator.class);
            ModuleCache cache = ctx.getBean(ModuleCache.class);
            long compiles = cache.stats().compiles();
            long t0 = System.nanoTime();
            for (int i = 0; i < 1000; i++) {
                assertThat(health.health(true).getStatus().getCode()).isEqualTo("UP");
            }
            assertThat((System.nanoTime() - t0) / 1_000_000)
                    .as("1000 probes, ms")
                    .isLessThan(1000);
            assertThat(cache.stats().compiles()).isEqualTo(compiles);
            assertThat(health.health(true).getDetails())
                    .containsEntry("modules", 3)
                    .containsEntry("backend", "cranelift");
            Engine closed = new Engine();
            closed.close();
            assertThat(new WasmerHealthIndicator(closed, ctx.getBean(WasmModules.class), java.util.Map::of)
                            .health(false)
                            .getStatus()
                            .getCode())
                    .isEqualTo("DOWN");
        });
    }

    @Test
    void canBeDisabled() {
        runner.withPropertyValues("management.health.wasmer.enabled=false")
                .run(ctx -> assertThat(ctx).hasNotFailed().doesNotHaveBean(WasmerHealthIndicator.class));
    }
}
