package dev.wasmerffm.spring.boot.autoconfigure.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wasmerffm.MeteringExhaustedException;
import dev.wasmerffm.pool.WasmInstancePool;
import dev.wasmerffm.spring.boot.autoconfigure.WasmerAutoConfiguration;
import dev.wasmerffm.spring.boot.metrics.WasmerMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

class WasmerMetricsAutoConfigurationTests {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(
                    AutoConfigurations.of(WasmerAutoConfiguration.class, WasmerMetricsAutoConfiguration.class))
            .withPropertyValues("wasmer.cache.enabled=false");

    @Test
    void metricsWithARegistry() {
        runner.withBean(SimpleMeterRegistry.class).run(ctx -> {
            assertThat(ctx).hasSingleBean(WasmerMetrics.class);
            SimpleMeterRegistry registry = ctx.getBean(SimpleMeterRegistry.class);
            ctx.getBean(WasmerMetrics.class).bindTo(registry);
            assertThat(registry.get("wasmer.cache.compiles").functionCounter().count()
                            + registry.get("wasmer.cache.loads")
                                    .tag("level", "disk")
                                    .functionCounter()
                                    .count())
                    .isEqualTo(3);
            assertThat(registry.get("wasmer.cache.size").gauge().value()).isEqualTo(3);
            assertThat(registry.get("wasmer.cache.gets")
                            .tag("result", "miss")
                            .functionCounter()
                            .count())
                    .isEqualTo(3);
        });
    }

    /** Boot's metrics auto-configuration, whose {@code management.metrics.enable.*} toggles are meter filters. */
    private final ApplicationContextRunner boot = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(
                    MetricsAutoConfiguration.class,
                    CompositeMeterRegistryAutoConfiguration.class,
                    SimpleMetricsExportAutoConfiguration.class,
                    WasmerAutoConfiguration.class,
                    WasmerMetricsAutoConfiguration.class))
            .withPropertyValues("wasmer.cache.enabled=false");

    /** What a pooled call and a trap leave in the registry. */
    static MeterRegistry callAndTrap(AssertableApplicationContext ctx) {
        WasmInstancePool pool = ctx.getBean(WasmInstancePool.class);
        assertThat(pool.call("add", "add", 1, 2)).containsExactly(3);
        assertThatThrownBy(() -> pool.call("spin", "spin")).isInstanceOf(MeteringExhaustedException.class);
        return ctx.getBean(MeterRegistry.class);
    }

    @Test
    void metersAreTurnedOffWithBootsOwnToggle() {
        String metered = "wasmer.metering.enabled=true";
        boot.withPropertyValues(metered).run(ctx -> {
            MeterRegistry registry = callAndTrap(ctx);
            assertThat(registry.find("wasmer.traps").counters()).hasSize(1);
            assertThat(registry.find("wasmer.calls").meters())
                    .as("calls are timed by the wasmer.call observation alone")
                    .isEmpty();
        });
        boot.withPropertyValues(metered, "management.metrics.enable.wasmer.traps=false")
                .run(ctx -> {
                    MeterRegistry registry = callAndTrap(ctx);
                    assertThat(registry.find("wasmer.traps").counters()).isEmpty();
                    assertThat(registry.find("wasmer.module.load").timers()).hasSize(3);
                    assertThat(registry.find("wasmer.cache.compiles").functionCounter())
                            .isNotNull();
                });
        boot.withPropertyValues(metered, "management.metrics.enable.wasmer=false")
                .run(ctx -> {
                    MeterRegistry registry = callAndTrap(ctx);
                    assertThat(registry.getMeters())
                            .extracting(m -> m.getId().getName())
                            .noneMatch(name -> name.startsWith("wasmer."));
                });
    }

    @Test
    void noRegistryNoMeters() {
        runner.run(ctx -> assertThat(ctx).hasNotFailed().doesNotHaveBean(WasmerMetrics.class));
    }
}
