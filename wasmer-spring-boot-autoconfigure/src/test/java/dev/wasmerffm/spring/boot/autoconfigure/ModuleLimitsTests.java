package dev.wasmerffm.spring.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wasmerffm.DeadlineExceededException;
import dev.wasmerffm.Engine;
import dev.wasmerffm.MeteringExhaustedException;
import dev.wasmerffm.spring.boot.actuate.WasmerEndpoint;
import dev.wasmerffm.spring.boot.modules.ModuleLimits;
import dev.wasmerffm.spring.boot.modules.WasmInstancePool;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.actuate.autoconfigure.endpoint.EndpointAutoConfiguration;
import org.springframework.boot.actuate.autoconfigure.endpoint.web.WebEndpointAutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** {@code wasmer.limits.call-timeout} and {@code wasmer.modules.settings.<name>.*}. */
class ModuleLimitsTests {

    @TempDir
    Path cacheDir;

    ApplicationContextRunner runner() {
        return new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(WasmerAutoConfiguration.class,
                        WasmerEndpointAutoConfiguration.class, EndpointAutoConfiguration.class,
                        WebEndpointAutoConfiguration.class))
                .withPropertyValues("wasmer.cache.directory=" + cacheDir,
                        "management.endpoints.web.exposure.include=wasmer");
    }

    @Test
    void aGlobalCallTimeoutStopsAnUnmeteredEndlessLoopAndThePoolServesOn() {
        runner().withPropertyValues("wasmer.limits.call-timeout=50ms", "wasmer.pool.size=1").run(ctx -> {
            assertThat(ctx).hasNotFailed();
            assertThat(ctx.getBean(Engine.class).config().deadlines()).isTrue();
            WasmInstancePool pool = ctx.getBean(WasmInstancePool.class);
            assertThat(pool.limits("spin")).isEqualTo(new ModuleLimits(Long.MAX_VALUE, Duration.ofMillis(50)));
            for (int i = 0; i < 3; i++) { // pool.size calls in a row: each frees its slot
                assertThatThrownBy(() -> pool.call("spin", "spin")).isInstanceOf(DeadlineExceededException.class);
                assertThat(pool.call("spin", "square", 12L)).containsExactly(144L);
            }
            WasmInstancePool.Stats stats = pool.stats().get("spin");
            assertThat(stats.deadlines()).isEqualTo(3);
            assertThat(stats.exhaustions()).isZero();
            assertThat(stats.recycled()).isEqualTo(3); // each stopped instance was replaced
            assertThat(stats.created()).isEqualTo(1);
        });
    }

    @Test
    void perModuleSettingsOverrideTheGlobalOnesAndShowInTheEndpoint() {
        runner().withPropertyValues("wasmer.metering.enabled=true", "wasmer.metering.initial-points=1000000000000",
                "wasmer.modules.settings.spin.call-timeout=40ms", "wasmer.modules.settings.add.points=5000")
                .run(ctx -> {
                    assertThat(ctx).hasNotFailed();
                    WasmInstancePool pool = ctx.getBean(WasmInstancePool.class);
                    assertThat(pool.limits("spin")).isEqualTo(new ModuleLimits(1_000_000_000_000L,
                            Duration.ofMillis(40)));
                    assertThat(pool.limits("add")).isEqualTo(new ModuleLimits(5000, Duration.ZERO));
                    long t0 = System.nanoTime();
                    assertThatThrownBy(() -> pool.call("spin", "spin")).isInstanceOf(DeadlineExceededException.class);
                    assertThat((System.nanoTime() - t0) / 1_000_000).isBetween(40L, 2_000L);
                    assertThat(pool.call("add", "add", 40, 2)).containsExactly(42);
                    assertThat(pool.stats().get("add").remainingPoints()).isGreaterThan(4990).isLessThan(5000);
                    WasmerEndpoint endpoint = ctx.getBean(WasmerEndpoint.class);
                    assertThat(endpoint.module("spin").limits().callTimeout()).isEqualTo(Duration.ofMillis(40));
                    assertThat(endpoint.module("add").limits().points()).isEqualTo(5000);
                    assertThat(endpoint.module("spin").pool().deadlines()).isEqualTo(1);
                });
    }

    @Test
    void perModulePointsApplyWithoutAnyDeadline() {
        runner().withPropertyValues("wasmer.metering.enabled=true", "wasmer.modules.settings.spin.points=5000")
                .run(ctx -> {
                    assertThat(ctx.getBean(Engine.class).config().metering().initialPoints()).isEqualTo(10_000_000);
                    WasmInstancePool pool = ctx.getBean(WasmInstancePool.class);
                    assertThatThrownBy(() -> pool.call("spin", "spin")).isInstanceOf(MeteringExhaustedException.class);
                    assertThat(pool.stats().get("spin").consumedPoints()).isBetween(5000L, 5100L);
                });
    }
}
