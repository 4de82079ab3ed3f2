package dev.wasmerffm.spring.boot.autoconfigure.observation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wasmerffm.MeteringExhaustedException;
import dev.wasmerffm.WasmerException;
import dev.wasmerffm.pool.UnknownModuleException;
import dev.wasmerffm.pool.WasmInstancePool;
import dev.wasmerffm.spring.boot.annotation.WasmHostFunction;
import dev.wasmerffm.spring.boot.autoconfigure.WasmerAutoConfiguration;
import dev.wasmerffm.spring.boot.autoconfigure.metrics.WasmerMetricsAutoConfiguration;
import dev.wasmerffm.spring.boot.observation.DefaultWasmCallObservationConvention;
import dev.wasmerffm.spring.boot.observation.WasmCallContext;
import dev.wasmerffm.spring.boot.observation.WasmCallObservationConvention;
import dev.wasmerffm.spring.boot.observation.WasmerObservationObserver;
import dev.wasmerffm.spring.boot.testplugins.text.TextPlugin;
import io.micrometer.common.KeyValues;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.tracing.handler.DefaultTracingObservationHandler;
import io.micrometer.tracing.test.simple.SimpleSpan;
import io.micrometer.tracing.test.simple.SimpleTracer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurationPackage;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.micrometer.observation.autoconfigure.ObservationAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

class WasmerObservationAutoConfigurationTests {

    /** The observations stopped, as a tracing handler would see them. */
    final List<Observation.Context> stopped = new CopyOnWriteArrayList<>();

    final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(
                    WasmerAutoConfiguration.class,
                    WasmerMetricsAutoConfiguration.class,
                    WasmerObservationAutoConfiguration.class))
            .withPropertyValues("wasmer.cache.enabled=false");

    /** Boot's own observation and metrics auto-configurations: its meter handler, its enable switches. */
    final ApplicationContextRunner boot = runner.withConfiguration(AutoConfigurations.of(
                    ObservationAutoConfiguration.class,
                    MetricsAutoConfiguration.class,
                    CompositeMeterRegistryAutoConfiguration.class,
                    SimpleMetricsExportAutoConfiguration.class))
            .withBean(ObservationHandler.class, this::recorder)
            .withPropertyValues("wasmer.metering.enabled=true", "wasmer.metering.initial-points=10000");

    /** Writes down each observation stopped. */
    ObservationHandler<Observation.Context> recorder() {
        return new ObservationHandler<>() {
            @Override
            public boolean supportsContext(Observation.Context context) {
                return true;
            }

            @Override
            public void onStop(Observation.Context context) {
                stopped.add(context);
            }
        };
    }

    ObservationRegistry registry() {
        ObservationRegistry registry = ObservationRegistry.create();
        registry.observationConfig().observationHandler(recorder());
        return registry;
    }

    static String describe(Observation.Context c) {
        return c.getName() + " " + c.getContextualName() + " "
                + c.getLowCardinalityKeyValue("outcome").getValue() + (c.getError() == null ? "" : " with error");
    }

    @Test
    void anObservationPerPooledCallWithItsContext() {
        runner.withBean(ObservationRegistry.class, this::registry)
                .withPropertyValues("wasmer.metering.enabled=true", "wasmer.metering.initial-points=10000")
                .run(ctx -> {
                    assertThat(ctx).hasSingleBean(WasmerObservationObserver.class);
                    WasmInstancePool pool = ctx.getBean(WasmInstancePool.class);
                    assertThat(pool.call("add", "add", 1, 2)).containsExactly(3);
                    assertThatThrownBy(() -> pool.call("add", "bogus"));
                    assertThatThrownBy(() -> pool.call("spin", "spin")).isInstanceOf(MeteringExhaustedException.class);
                    assertThatThrownBy(() -> pool.call("nope", "f"));
                    assertThat(stopped)
                            .extracting(WasmerObservationAutoConfigurationTests::describe)
                            .containsExactly(
                                    "wasmer.call wasmer add.add success",
                                    "wasmer.call wasmer add.unknown error with error",
                                    "wasmer.call wasmer spin.spin trap with error",
                                    "wasmer.call wasmer unknown.unknown error with error");
                    WasmCallContext add = (WasmCallContext) stopped.getFirst();
                    assertThat(add.getModule()).isEqualTo("add");
                    assertThat(add.getFunction()).isEqualTo("add");
                    assertThat(add.getPoints()).as("a metered call's points").isPositive();
                    assertThat(add.getHighCardinalityKeyValue("wasmer.points").getValue())
                            .isEqualTo(Long.toString(add.getPoints()));
                    assertThat(((WasmCallContext) stopped.get(2)).getPoints())
                            .as("the spin ran out of its 10 000 points")
                            .isEqualTo(10_000);
                    assertThat(((WasmCallContext) stopped.get(3)).getPoints())
                            .as("no instance, no points")
                            .isEqualTo(-1);
                });
    }

    /** The count of every timer in the registry, by its id. */
    static Map<Meter.Id, Long> timerCounts(MeterRegistry registry) {
        return registry.getMeters().stream()
                .filter(Timer.class::isInstance)
                .collect(Collectors.toMap(Meter::getId, m -> ((Timer) m).count()));
    }

    @Test
    void oneTimerPerCallDerivedFromTheObservation() {
        boot.run(ctx -> {
            WasmInstancePool pool = ctx.getBean(WasmInstancePool.class);
            MeterRegistry registry = ctx.getBean(MeterRegistry.class);
            pool.call("add", "add", 1, 2); // the first call makes the instance: its own timer
            Map<Meter.Id, Long> before = timerCounts(registry);
            assertThat(pool.call("add", "add", 2, 3)).containsExactly(5);
            Map<Meter.Id, Long> after = timerCounts(registry);
            List<String> recorded = after.entrySet().stream()
                    .filter(e -> e.getValue() > before.getOrDefault(e.getKey(), 0L))
                    .map(e -> e.getKey().getName() + e.getKey().getTags())
                    .toList();
            assertThat(recorded)
                    .containsExactly(
                            "wasmer.call[tag(error=none), tag(outcome=success), tag(wasmer.function=add), tag(wasmer.module=add)]");
            assertThat(registry.get("wasmer.call.active").longTaskTimer().activeTasks())
                    .as("no call runs now")
                    .isZero();
            assertThat(registry.find("wasmer.calls").meters())
                    .as("the old timer is gone")
                    .isEmpty();
        });
    }

    @Test
    void callTimersAreTaggedOnlyWithRegisteredNames() {
        boot.run(ctx -> {
            WasmInstancePool pool = ctx.getBean(WasmInstancePool.class);
            assertThat(pool.call("add", "add", 1, 2)).containsExactly(3);
            for (int i = 0; i < 50; i++) {
                String bogus = "f" + i;
                assertThatThrownBy(() -> pool.call("add", bogus)).isInstanceOf(WasmerException.class);
                assertThatThrownBy(() -> pool.call("m" + bogus, bogus)).isInstanceOf(UnknownModuleException.class);
            }
            assertThat(ctx.getBean(MeterRegistry.class).find("wasmer.call").timers())
                    .extracting(t ->
                            t.getId().getTag("wasmer.module") + "." + t.getId().getTag("wasmer.function") + ":"
                                    + t.getId().getTag("outcome"))
                    .containsExactlyInAnyOrder("add.add:success", "add.unknown:error", "unknown.unknown:error");
        });
    }

    /** An application's convention: its own name and an extra tag, the rest as the default does it. */
    static class AppConvention extends DefaultWasmCallObservationConvention {
        @Override
        public String getName() {
            return "app.wasm.calls";
        }

        @Override
        public KeyValues getLowCardinalityKeyValues(WasmCallContext context) {
            return super.getLowCardinalityKeyValues(context).and("tenant", "t1");
        }
    }

    @Test
    void aConventionBeanRenamesAndRetagsTheObservationAndItsTimer() {
        boot.withBean(WasmCallObservationConvention.class, AppConvention::new).run(ctx -> {
            WasmInstancePool pool = ctx.getBean(WasmInstancePool.class);
            MeterRegistry registry = ctx.getBean(MeterRegistry.class);
            assertThat(pool.call("add", "add", 1, 2)).containsExactly(3);
            assertThat(registry.get("app.wasm.calls")
                            .tags("tenant", "t1", "wasmer.module", "add", "outcome", "success")
                            .timer()
                            .count())
                    .isEqualTo(1);
            assertThat(registry.find("wasmer.call").meters()).isEmpty();
            assertThat(stopped).extracting(Observation.Context::getName).containsExactly("app.wasm.calls");
        });
    }

    @Test
    void observationsEnableWasmerFalseRemovesTheObservationAndItsTimer() {
        boot.withPropertyValues("management.observations.enable.wasmer=false").run(ctx -> {
            WasmInstancePool pool = ctx.getBean(WasmInstancePool.class);
            MeterRegistry registry = ctx.getBean(MeterRegistry.class);
            assertThat(pool.call("add", "add", 1, 2)).containsExactly(3);
            assertThatThrownBy(() -> pool.call("spin", "spin")).isInstanceOf(MeteringExhaustedException.class);
            assertThat(stopped).isEmpty();
            assertThat(registry.getMeters())
                    .extracting(m -> m.getId().getName())
                    .noneMatch(name -> name.startsWith("wasmer.call"))
                    .as("the other meters stay")
                    .contains("wasmer.traps", "wasmer.instantiations");
        });
    }

    @Test
    void metricsEnableWasmerCallFalseKeepsTheObservationForTraces() {
        boot.withPropertyValues("management.metrics.enable.wasmer.call=false").run(ctx -> {
            WasmInstancePool pool = ctx.getBean(WasmInstancePool.class);
            assertThat(pool.call("add", "add", 1, 2)).containsExactly(3);
            assertThat(stopped).extracting(Observation.Context::getName).containsExactly("wasmer.call");
            assertThat(ctx.getBean(MeterRegistry.class).find("wasmer.call").meters())
                    .isEmpty();
        });
    }

    /** The host function: writes down the span current where it runs. */
    static class Host {
        final SimpleTracer tracer;
        final ObservationRegistry registry;
        final List<SimpleSpan> seen = new CopyOnWriteArrayList<>();

        Host(SimpleTracer tracer, ObservationRegistry registry) {
            this.tracer = tracer;
            this.registry = registry;
        }

        /** Writes down the current span, and observes its own work, as a client call in a host function would. */
        @WasmHostFunction
        int twice(int x) {
            seen.add(tracer.currentSpan());
            return Observation.createNotStarted("host work", registry).observe(() -> 2 * x);
        }

        @WasmHostFunction
        void log(int ptr, int len) {}
    }

    @Configuration(proxyBeanMethods = false)
    @AutoConfigurationPackage(basePackageClasses = TextPlugin.class)
    static class TracedApp {
        final SimpleTracer tracer = new SimpleTracer();
        final ObservationRegistry registry = ObservationRegistry.create();

        TracedApp() {
            registry.observationConfig().observationHandler(new DefaultTracingObservationHandler(tracer));
        }

        @Bean
        SimpleTracer tracer() {
            return tracer;
        }

        @Bean
        Host host() {
            return new Host(tracer, registry);
        }

        @Bean
        ObservationRegistry observationRegistry() {
            return registry;
        }
    }

    @Test
    void hostFunctionsSeeTheCallsSpanOnPlatformAndVirtualThreads() {
        runner.withUserConfiguration(TracedApp.class)
                .withPropertyValues("wasmer.modules.locations=classpath:host-wasm/*.wat")
                .run(ctx -> {
                    TextPlugin text = ctx.getBean(TextPlugin.class);
                    ObservationRegistry registry = ctx.getBean(ObservationRegistry.class);
                    SimpleTracer tracer = ctx.getBean(SimpleTracer.class);
                    Host host = ctx.getBean(Host.class);
                    Function<String, Integer> request =
                            name -> Observation.createNotStarted(name, registry).observe(() -> text.quadruple(5));
                    assertThat(request.apply("platform request")).isEqualTo(20);
                    AtomicInteger onVirtual = new AtomicInteger();
                    Thread.ofVirtual()
                            .start(() -> onVirtual.set(request.apply("virtual request")))
                            .join();
                    assertThat(onVirtual).hasValue(20);
                    assertThat(tracer.getSpans())
                            .extracting(SimpleSpan::getName)
                            .containsExactlyInAnyOrder(
                                    "platform request",
                                    "virtual request",
                                    "wasmer text.quadruple",
                                    "wasmer text.quadruple",
                                    "host work",
                                    "host work",
                                    "host work",
                                    "host work");
                    Map<String, SimpleSpan> spans = tracer.getSpans().stream()
                            .filter(s -> s.getName().endsWith("request"))
                            .collect(Collectors.toMap(SimpleSpan::getName, s -> s));
                    List<SimpleSpan> calls = tracer.getSpans().stream()
                            .filter(s -> s.getName().equals("wasmer text.quadruple"))
                            .toList();
                    assertThat(calls).hasSize(2);
                    assertThat(calls.get(0).getParentId())
                            .as("a child of the request")
                            .isEqualTo(spans.get("platform request").context().spanId());
                    assertThat(calls.get(1).getParentId())
                            .isEqualTo(spans.get("virtual request").context().spanId());
                    assertThat(host.seen)
                            .as("each twice (two per call) saw its call's span, not the request's")
                            .extracting(s -> s == null ? "none" : s.context().spanId())
                            .containsExactly(
                                    calls.get(0).context().spanId(),
                                    calls.get(0).context().spanId(),
                                    calls.get(1).context().spanId(),
                                    calls.get(1).context().spanId());
                    assertThat(tracer.getSpans().stream()
                                    .filter(span -> span.getName().equals("host work"))
                                    .map(SimpleSpan::getParentId))
                            .as("the host function's own observations are children of the call's span")
                            .containsExactly(
                                    calls.get(0).context().spanId(),
                                    calls.get(0).context().spanId(),
                                    calls.get(1).context().spanId(),
                                    calls.get(1).context().spanId());
                    assertThat(tracer.currentSpan()).as("no scope left open").isNull();
                });
    }
}
