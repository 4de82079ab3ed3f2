package dev.wasmerffm.spring.boot.modules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wasmerffm.MeteringExhaustedException;
import dev.wasmerffm.spring.boot.autoconfigure.WasmerAutoConfiguration;
import dev.wasmerffm.spring.boot.pool.WasmInstancePool;
import dev.wasmerffm.spring.boot.testplugins.batch.Calc;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurationPackage;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;

/** Modules registered, replaced and removed while calls run: each call sees one whole version, never a broken one. */
class ModulesAtRuntimeTests {

    final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(WasmerAutoConfiguration.class))
            .withPropertyValues("wasmer.cache.enabled=false", "wasmer.pool.size=4");

    static byte[] version(int v) {
        return ("(module (func (export \"version\") (result i32) i32.const " + v + "))")
                .getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void registerReplaceAndRemoveUnderConcurrentCalls() {
        runner.run(ctx -> {
            WasmModules modules = ctx.getBean(WasmModules.class);
            WasmInstancePool pool = ctx.getBean(WasmInstancePool.class);
            modules.register("plugin", version(1));
            AtomicLong calls = new AtomicLong();
            AtomicIntegerArray seen = new AtomicIntegerArray(4); // the last version each thread saw
            try (ExecutorService threads = Executors.newFixedThreadPool(4)) {
                List<Future<String>> problems = new ArrayList<>();
                for (int t = 0; t < 4; t++) {
                    int thread = t;
                    problems.add(threads.submit(() -> {
                        int last = 0;
                        while (true) {
                            int v;
                            try {
                                v = (Integer) pool.call("plugin", "version")[0];
                            } catch (UnknownModuleException removed) {
                                return last == 5 ? null : "removed before version 5 was seen, at " + last;
                            }
                            calls.incrementAndGet();
                            if (v < last || v < 1 || v > 5) { // versions only move forward, each one whole
                                return "version " + v + " after " + last;
                            }
                            last = v;
                            seen.set(thread, v);
                        }
                    }));
                }
                for (int v = 2; v <= 5; v++) {
                    long before = calls.get();
                    await(() -> calls.get() >= before + 200); // calls run on the version before
                    modules.register("plugin", version(v));
                }
                await(() -> IntStream.range(0, 4).allMatch(t -> seen.get(t) == 5)); // every thread on the last
                assertThat(modules.remove("plugin")).isTrue();
                for (Future<String> f : problems) {
                    assertThat(f.get()).isNull();
                }
            }
            assertThat(modules.contains("plugin")).isFalse();
            assertThat(pool.stats()).doesNotContainKey("plugin"); // the old versions' instances are gone
            assertThat(modules.all()).extracting(WasmModules.Entry::name).containsExactly("add", "counter", "spin");
        });
    }

    static void await(BooleanSupplier condition) {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("waited 30 s").isLessThan(deadline);
            Thread.onSpinWait();
        }
    }

    @Test
    void aCallRunningWhenItsModuleIsReplacedFinishesOnTheOldVersion() {
        runner.run(ctx -> {
            WasmModules modules = ctx.getBean(WasmModules.class);
            WasmInstancePool pool = ctx.getBean(WasmInstancePool.class);
            modules.register("plugin", version(1));
            try (WasmInstancePool.Lease lease = pool.borrow("plugin")) {
                modules.register("plugin", version(2));
                assertThat(pool.call("plugin", "version")).containsExactly(2);
                assertThat(lease.instance().func("version").call()).containsExactly(1);
            }
            assertThat(pool.call("plugin", "version")).containsExactly(2);
            assertThat(pool.stats().get("plugin").created()).isEqualTo(1); // the old instance closed on return
        });
    }

    @Test
    void aCallThatRunsOutOfPointsAfterItsModuleWasRemovedStillSaysSo() {
        runner.withPropertyValues("wasmer.metering.enabled=true", "wasmer.metering.initial-points=1000")
                .run(ctx -> {
                    WasmModules modules = ctx.getBean(WasmModules.class);
                    WasmInstancePool pool = ctx.getBean(WasmInstancePool.class);
                    assertThatThrownBy(() -> pool.call("spin", "spin", instance -> {
                                modules.remove("spin"); // while the call runs: its module's instances are retired
                                return instance.func("spin").call();
                            }))
                            .isInstanceOf(MeteringExhaustedException.class);
                });
    }

    @Test
    void aModuleThatDoesNotLoadOrLinkIsRefusedAndChangesNothing() {
        runner.run(ctx -> {
            WasmModules modules = ctx.getBean(WasmModules.class);
            WasmInstancePool pool = ctx.getBean(WasmInstancePool.class);
            modules.register("plugin", version(1));
            assertThatThrownBy(() -> modules.register("plugin", "(module (func".getBytes(StandardCharsets.UTF_8)))
                    .isInstanceOf(WasmModuleLoadException.class)
                    .hasMessageContaining("'plugin'");
            assertThatThrownBy(() -> modules.register(
                            "plugin", "(module (import \"env\" \"gone\" (func)))".getBytes(StandardCharsets.UTF_8)))
                    .isInstanceOf(WasmImportException.class)
                    .hasMessageContaining("env.gone");
            assertThatThrownBy(() -> modules.register("../x", version(3))).isInstanceOf(IllegalArgumentException.class);
            assertThat(pool.call("plugin", "version")).containsExactly(1);
            assertThat(modules.remove("nothing")).isFalse();
        });
    }

    @Configuration(proxyBeanMethods = false)
    @AutoConfigurationPackage(basePackageClasses = Calc.class)
    static class CalcApp {}

    @Test
    void aReplacementThatNoLongerFitsItsInterfaceIsRefusedAndTheOldOneServesOn() {
        runner.withUserConfiguration(CalcApp.class)
                .withPropertyValues("wasmer.modules.locations=classpath:batch-wasm/*.wat")
                .run(ctx -> {
                    WasmModules modules = ctx.getBean(WasmModules.class);
                    Calc calc = ctx.getBean(Calc.class);
                    // add now takes i64s: Calc.add(int, int) and add(int[], int[]) no longer fit
                    String calcWat = new String(
                            ModulesAtRuntimeTests.class
                                    .getResourceAsStream("/batch-wasm/calc.wat")
                                    .readAllBytes(),
                            StandardCharsets.UTF_8);
                    byte[] changed = calcWat.replace(
                                    "(func (export \"add\") (param i32 i32) (result i32)"
                                            + " local.get 0 local.get 1 i32.add)",
                                    "(func (export \"add\") (param i64 i64)"
                                            + " (result i64) local.get 0 local.get 1 i64.add)")
                            .getBytes(StandardCharsets.UTF_8);
                    assertThat(changed).isNotEqualTo(calcWat.getBytes(StandardCharsets.UTF_8));
                    assertThatThrownBy(() -> modules.register("calc", changed))
                            .isInstanceOf(WasmModuleInterfaceException.class)
                            .hasMessageContaining("Calc.add");
                    assertThat(calc.add(40, 2)).isEqualTo(42);
                    assertThat(calc.add(new int[] {1, 2}, new int[] {3, 4})).containsExactly(4, 6);
                });
    }
}
