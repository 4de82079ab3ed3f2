package dev.wasmerffm.spring.boot.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wasmerffm.BatchTrapException;
import dev.wasmerffm.TrapKind;
import dev.wasmerffm.pool.WasmInstancePool;
import dev.wasmerffm.pool.WasmModules;
import dev.wasmerffm.spring.boot.autoconfigure.WasmerAutoConfiguration;
import dev.wasmerffm.spring.boot.modules.WasmModuleInterfaceException;
import dev.wasmerffm.spring.boot.testplugins.batch.Calc;
import dev.wasmerffm.spring.boot.testplugins.batchshapes.BatchShapes;
import dev.wasmerffm.spring.boot.testplugins.batchwrong.WrongBatch;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurationPackage;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.NestedExceptionUtils;

/** {@code @WasmModule} methods of arrays: their export applied to every row in one batch on a pooled instance. */
class BatchedModuleInterfacesTests {

    @Configuration(proxyBeanMethods = false)
    @AutoConfigurationPackage(basePackageClasses = Calc.class)
    static class App {}

    @Configuration(proxyBeanMethods = false)
    @AutoConfigurationPackage(basePackageClasses = WrongBatch.class)
    static class WrongApp {}

    /** One instance, so what one call leaves in it the next one sees. */
    final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(WasmerAutoConfiguration.class))
            .withPropertyValues(
                    "wasmer.cache.enabled=false",
                    "wasmer.modules.locations=classpath:batch-wasm/*.wat",
                    "wasmer.pool.size=1",
                    "wasmer.modules.settings.calc.call-timeout=0");

    @Test
    void aBatchOfAMillionRowsGivesWhatTheExportGivesRowByRow() {
        runner.withUserConfiguration(App.class).run(ctx -> {
            Calc calc = ctx.getBean(Calc.class);
            int n = 1_000_000;
            int[] a = new int[n];
            int[] b = new int[n];
            int[] perRow = new int[n];
            for (int k = 0; k < n; k++) {
                a[k] = k * 0x9E3779B9; // sums that wrap around, both ways
                b[k] = Integer.MAX_VALUE - k;
                perRow[k] = calc.add(a[k], b[k]);
            }
            assertThat(calc.add(a, b)).isEqualTo(perRow);
            assertThat(calc.add(new int[0], new int[0])).isEmpty();
            assertThat(calc.scale(new double[] {1.5, -2, 0.25}, new long[] {2, 3, 1L << 40}))
                    .containsExactly(3.0, -6.0, 0x1p38);
            calc.accumulate(new long[] {1, 2, 3, 4});
            assertThat(calc.total()).as("the void batch ran every row").isEqualTo(10);
        });
    }

    @Test
    void aTrappingRowStopsTheBatchNamingTheRow() {
        runner.withUserConfiguration(App.class).run(ctx -> {
            Calc calc = ctx.getBean(Calc.class);
            int[] a = new int[1000];
            int[] b = new int[1000];
            Arrays.fill(a, 84);
            Arrays.fill(b, 2);
            b[777] = 0;
            assertThatThrownBy(() -> calc.div(a, b)).isInstanceOfSatisfying(BatchTrapException.class, e -> {
                assertThat(e.row()).isEqualTo(777);
                assertThat(e.kind()).isEqualTo(TrapKind.INTEGER_DIVIDE_BY_ZERO);
                assertThat(e).hasMessageContaining("row 777 of the batch of");
            });
            b[777] = 4;
            int[] quotients = calc.div(a, b);
            assertThat(quotients).startsWith(42, 42);
            assertThat(quotients[777]).isEqualTo(21);
            assertThat(ctx.getBean(WasmInstancePool.class).stats().get("calc").recycled())
                    .as("the instance that trapped was replaced")
                    .isEqualTo(1);
        });
    }

    @Test
    void columnsOfUnequalLengthOrNullAreRefusedNamingTheMethod() {
        runner.withUserConfiguration(App.class).run(ctx -> {
            Calc calc = ctx.getBean(Calc.class);
            assertThatThrownBy(() -> calc.add(new int[2], new int[3]))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("Calc.add(int[], int[]): columns of unequal length, 2 rows in argument 0 and 3 in"
                            + " argument 1");
            assertThatThrownBy(() -> calc.add(new int[2], null))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("Calc.add(int[], int[]): argument 1 is null");
        });
    }

    @Test
    void aColumnOfTheWrongTypeFailsStartup() {
        runner.withUserConfiguration(WrongApp.class).run(ctx -> {
            Throwable failure = NestedExceptionUtils.getMostSpecificCause(ctx.getStartupFailure());
            assertThat(failure)
                    .isInstanceOf(WasmModuleInterfaceException.class)
                    .hasMessage(
                            "WrongBatch.add(int[], int[]) does not match export calc.add: its rows need (i32, i32) -> (i64),"
                                    + " the module has (i32, i32) -> (i32)");
            assertThat(((WasmModuleInterfaceException) failure).fix())
                    .startsWith(
                            "Change WrongBatch.add(int[], int[]) to (i32, i32) -> (i32) (int[], long[], float[], double[]");
        });
    }

    /**
     * Policies per module: another module's deadline compiles only that module with metering, so batches keep
     * working on calc; and the default deadline, which calc turned off, holds for the other.
     */
    @Test
    void batchesRunOnAModuleWithoutDeadlineWhileAnotherHasOne() {
        runner.withUserConfiguration(App.class)
                .withPropertyValues(
                        "wasmer.modules.locations=classpath:batch-wasm/*.wat,classpath:wasm/spin.wat",
                        "wasmer.modules.settings.spin.call-timeout=50ms")
                .run(ctx -> {
                    assertThat(ctx.getBean(Calc.class).add(new int[] {1, 2}, new int[] {40, 40}))
                            .containsExactly(41, 42);
                    WasmModules modules = ctx.getBean(WasmModules.class);
                    assertThat(modules.get("calc").module().isMetered()).isFalse();
                    assertThat(modules.get("spin").module().isMetered()).isTrue();
                    assertThatThrownBy(() -> ctx.getBean(WasmInstancePool.class).call("spin", "spin"))
                            .isInstanceOf(dev.wasmerffm.DeadlineExceededException.class);
                });
        runner.withUserConfiguration(App.class)
                .withPropertyValues(
                        "wasmer.modules.locations=classpath:batch-wasm/*.wat,classpath:wasm/spin.wat",
                        "wasmer.limits.call-timeout=0",
                        "wasmer.modules.settings.spin.call-timeout=50ms")
                .run(ctx -> {
                    assertThat(ctx.getBean(Calc.class).add(new int[] {1}, new int[] {41}))
                            .containsExactly(42);
                    assertThatThrownBy(() -> ctx.getBean(WasmInstancePool.class).call("spin", "spin"))
                            .isInstanceOf(dev.wasmerffm.DeadlineExceededException.class);
                });
    }

    @Test
    void aBatchOnTheDefaultDeadlineFailsStartupSayingHowToTurnItOff() {
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(WasmerAutoConfiguration.class))
                .withPropertyValues("wasmer.cache.enabled=false", "wasmer.modules.locations=classpath:batch-wasm/*.wat")
                .withUserConfiguration(App.class)
                .run(ctx -> assertThat(NestedExceptionUtils.getMostSpecificCause(ctx.getStartupFailure()))
                        .isInstanceOfSatisfying(WasmModuleInterfaceException.class, e -> assertThat(e.fix())
                                .contains("wasmer.modules.settings.calc.call-timeout=0")));
    }

    @Test
    void aBatchOfAMeteredModuleFailsStartup() {
        runner.withUserConfiguration(App.class)
                .withPropertyValues("wasmer.metering.enabled=true")
                .run(ctx -> assertThat(NestedExceptionUtils.getMostSpecificCause(ctx.getStartupFailure()))
                        .isInstanceOf(WasmModuleInterfaceException.class)
                        .hasMessageMatching("Calc\\.\\w+\\(.*\\) is a"
                                + " batch, and module 'calc' is metered: batches run on unmetered modules only"));
    }

    @Test
    void arrayMethodsThatAreNoBatchAreRefusedNamingTheMethod() {
        runner.run(ctx -> {
            WasmModules modules = ctx.getBean(WasmModules.class);
            WasmInstancePool pool = ctx.getBean(WasmInstancePool.class);
            assertThatThrownBy(() -> WasmModuleInterfaces.create(BatchShapes.SeveralResults.class, modules, pool))
                    .isInstanceOfSatisfying(WasmModuleInterfaceException.class, e -> assertThat(e.fix())
                            .endsWith("an export of several results cannot be batched)."))
                    .hasMessage("SeveralResults.divmod(int[], int[]) does not match export calc.divmod: its rows need"
                            + " (i32, i32) -> (i32), the module has (i32, i32) -> (i32, i32)");
            assertThatThrownBy(() -> WasmModuleInterfaces.create(BatchShapes.ArrayAndScalar.class, modules, pool))
                    .isInstanceOf(WasmModuleInterfaceException.class)
                    .hasMessage("ArrayAndScalar.add(int[], int) is"
                            + " a batch (it has an array of numbers), so its parameter must be one too, not int");
            assertThatThrownBy(() -> WasmModuleInterfaces.create(BatchShapes.NoColumns.class, modules, pool))
                    .isInstanceOf(WasmModuleInterfaceException.class)
                    .hasMessage("NoColumns.totals() returns an array but takes none, so it has no rows");
        });
    }
}
