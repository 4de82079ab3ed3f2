package dev.wasmerffm.spring.boot.autoconfigure.observation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wasmerffm.pool.WasmInstancePool;
import dev.wasmerffm.spring.boot.autoconfigure.WasmerAutoConfiguration;
import dev.wasmerffm.spring.boot.autoconfigure.metrics.WasmerMetricsAutoConfiguration;
import dev.wasmerffm.spring.boot.observation.WasmerObservationObserver;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

class WasmerObservationAutoConfigurationTests {

    /** The observations stopped, as a tracing handler would see them. */
    final List<Observation.Context> stopped = new CopyOnWriteArrayList<>();

    final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(
                    WasmerAutoConfiguration.class,
                    WasmerMetricsAutoConfiguration.class,
                    WasmerObservationAutoConfiguration.class))
            .withPropertyValues("wasmer.cache.enabled=false");

    ObservationRegistry registry() {
        ObservationRegistry registry = ObservationRegistry.create();
        registry.observationConfig().observationHandler(new ObservationHandler<>() {
            @Override
            public boolean supportsContext(Observation.Context context) {
                return true;
            }

            @Override
            public void onStop(Observation.Context context) {
                stopped.add(context);
            }
        });
        return registry;
    }

    static String describe(Observation.Context c) {
        return c.getName() + " " + c.getLowCardinalityKeyValue("wasmer.module").getValue() + "."
                + c.getLowCardinalityKeyValue("wasmer.function").getValue() + " "
                + c.getLowCardinalityKeyValue("outcome").getValue() + (c.getError() == null ? "" : " with error");
    }

    @Test
    void anObservationPerPooledCallBesideTheMeters() {
        runner.withBean(ObservationRegistry.class, this::registry)
                .withBean(SimpleMeterRegistry.class)
                .withPropertyValues("wasmer.metering.enabled=true", "wasmer.metering.initial-points=10000")
                .run(ctx -> {
                    assertThat(ctx).hasSingleBean(WasmerObservationObserver.class);
                    WasmInstancePool pool = ctx.getBean(WasmInstancePool.class);
                    assertThat(pool.call("add", "add", 1, 2)).containsExactly(3);
                    assertThatThrownBy(() -> pool.call("add", "bogus"));
                    assertThatThrownBy(() -> pool.call("spin", "spin"))
                            .isInstanceOf(dev.wasmerffm.MeteringExhaustedException.class);
                    assertThatThrownBy(() -> pool.call("nope", "f"));
                    assertThat(stopped)
                            .extracting(WasmerObservationAutoConfigurationTests::describe)
                            .containsExactly(
                                    "wasmer.call add.add success",
                                    "wasmer.call add.unknown error with error",
                                    "wasmer.call spin.spin trap with error",
                                    "wasmer.call unknown.unknown error with error");
                    assertThat(ctx.getBean(SimpleMeterRegistry.class)
                                    .get("wasmer.calls")
                                    .tag("module", "add")
                                    .tag("outcome", "success")
                                    .timer()
                                    .count())
                            .as("the meters too")
                            .isEqualTo(1);
                });
    }

    @Test
    void noObservationRegistryNoObserver() {
        runner.run(ctx -> assertThat(ctx).hasNotFailed().doesNotHaveBean(WasmerObservationObserver.class));
    }
}
