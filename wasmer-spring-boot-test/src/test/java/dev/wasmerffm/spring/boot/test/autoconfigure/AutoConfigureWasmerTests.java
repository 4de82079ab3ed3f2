package dev.wasmerffm.spring.boot.test.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wasmerffm.Wasmer;
import dev.wasmerffm.pool.WasmInstancePool;
import dev.wasmerffm.pool.WasmModuleException;
import dev.wasmerffm.pool.WasmModules;
import dev.wasmerffm.spring.boot.autoconfigure.WasmerAutoConfiguration;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.autoconfigure.OverrideAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;

/**
 * A test context with auto-configuration off, as a slice's: {@code @AutoConfigureWasmer} alone brings the real beans
 * and registers the test's modules from WAT text and from {@code .wasm} bytes.
 */
@SpringBootTest(properties = "wasmer.cache.enabled=false")
@OverrideAutoConfiguration(enabled = false)
@AutoConfigureWasmer
class AutoConfigureWasmerTests {

    @TestConfiguration(proxyBeanMethods = false)
    static class Modules {

        @Bean
        WasmTestModule answerModule() {
            return WasmTestModule.wat("answer", "(module (func (export \"answer\") (result i32) i32.const 42))");
        }

        @Bean
        WasmTestModule twiceModule() {
            return WasmTestModule.of(
                    "twice",
                    Wasmer.wat2wasm("(module (func (export \"twice\") (param i32) (result i32)"
                            + " local.get 0 local.get 0 i32.add))"));
        }
    }

    @Autowired
    WasmInstancePool pool;

    @Autowired
    WasmModules modules;

    @Autowired
    Answer answer;

    @Test
    void testModulesAreRegisteredAndReplaceTheFileOfTheirName() {
        assertThat(answer.answer()).isEqualTo(42);
        assertThat(pool.call("twice", "twice", 21)).containsExactly(42);
        assertThat(modules.get("answer").location()).isEqualTo("registered at runtime");
    }

    @Test
    void aTestModuleThatDoesNotCompileOrHasABadNameFailsTheContextNamingIt() {
        ApplicationContextRunner runner = new ApplicationContextRunner()
                .withConfiguration(
                        AutoConfigurations.of(WasmerAutoConfiguration.class, WasmTestModulesAutoConfiguration.class))
                .withPropertyValues("wasmer.cache.enabled=false");
        runner.withBean(WasmTestModule.class, () -> WasmTestModule.wat("broken", "(module (func"))
                .run(ctx -> {
                    Throwable t = ctx.getStartupFailure();
                    while (t != null && !(t instanceof WasmModuleException)) {
                        t = t.getCause();
                    }
                    assertThat(t)
                            .as("the typed load failure the starter's analyzer reports")
                            .isInstanceOf(WasmModuleException.class)
                            .hasMessageContaining("'broken'");
                });
        runner.withBean(WasmTestModule.class, () -> WasmTestModule.wat("a/b", "(module)"))
                .run(ctx -> assertThat(ctx)
                        .getFailure()
                        .rootCause()
                        .isInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining("got 'a/b'"));
    }
}
