package dev.wasmerffm.spring.boot.modules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wasmerffm.pool.WasmImportException;
import dev.wasmerffm.pool.WasmInstancePool;
import dev.wasmerffm.pool.WasmModuleLoadException;
import dev.wasmerffm.pool.WasmModules;
import dev.wasmerffm.spring.boot.autoconfigure.WasmerAutoConfiguration;
import dev.wasmerffm.spring.boot.testplugins.batch.Calc;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurationPackage;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;

/**
 * Modules registered at runtime in an application: one whose imports no bean provides, or that no longer fits its
 * {@code @WasmModule} interface, is refused and changes nothing. (Replacement under running calls is the registry's
 * and the pool's own behaviour: {@code dev.wasmerffm.pool.WasmInstancePoolTest} in wasmer-ffm.)
 */
class ModulesAtRuntimeTests {

    final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(WasmerAutoConfiguration.class))
            .withPropertyValues("wasmer.cache.enabled=false", "wasmer.pool.size=4");

    static byte[] version(int v) {
        return ("(module (func (export \"version\") (result i32) i32.const " + v + "))")
                .getBytes(StandardCharsets.UTF_8);
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
                .withPropertyValues(
                        "wasmer.modules.locations=classpath:batch-wasm/*.wat",
                        "wasmer.modules.settings.calc.call-timeout=0") // Calc has batches
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
