package dev.wasmerffm.spring.boot.autoconfigure.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wasmerffm.WasmerException;
import dev.wasmerffm.pool.UnknownModuleException;
import dev.wasmerffm.pool.WasmInstancePool;
import dev.wasmerffm.spring.boot.autoconfigure.WasmerAutoConfiguration;
import dev.wasmerffm.spring.boot.metrics.WasmerMeterObserver;
import dev.wasmerffm.spring.boot.metrics.WasmerMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
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

    @Test
    void callMetersAreTaggedOnlyWithRegisteredNames() {
        runner.withBean(SimpleMeterRegistry.class).run(ctx -> {
            WasmInstancePool pool = ctx.getBean(WasmInstancePool.class);
            MeterRegistry registry = ctx.getBean(SimpleMeterRegistry.class);
            assertThat(pool.call("add", "add", 1, 2)).containsExactly(3);
            for (int i = 0; i < 50; i++) {
                String bogus = "f" + i;
                assertThatThrownBy(() -> pool.call("add", bogus)).isInstanceOf(WasmerException.class);
                assertThatThrownBy(() -> pool.call("m" + bogus, bogus)).isInstanceOf(UnknownModuleException.class);
            }
            assertThat(registry.find("wasmer.calls").timers())
                    .extracting(t -> t.getId().getTag("module") + "."
                            + t.getId().getTag("function") + ":" + t.getId().getTag("outcome"))
                    .containsExactlyInAnyOrder("add.add:success", "add.unknown:error", "unknown.unknown:error");
        });
    }

    @Test
    void callTimingCanBeTurnedOff() {
        runner.withBean(SimpleMeterRegistry.class)
                .withPropertyValues("wasmer.metrics.calls=false")
                .run(ctx ->
                        assertThat(ctx).hasSingleBean(WasmerMetrics.class).doesNotHaveBean(WasmerMeterObserver.class));
    }

    @Test
    void noRegistryNoMeters() {
        runner.run(ctx -> assertThat(ctx).hasNotFailed().doesNotHaveBean(WasmerMetrics.class));
    }
}
