package dev.wasmerffm.spring.boot.test.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wasmerffm.pool.WasmInstancePool;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;

/** A full {@code @SpringBootTest} with {@code @AutoConfigureWasmer}: the auto-configuration once, test modules too. */
@SpringBootTest(properties = "wasmer.cache.enabled=false")
@AutoConfigureWasmer
class FullContextTestModulesTests {

    @TestConfiguration(proxyBeanMethods = false)
    static class Modules {
        @Bean
        WasmTestModule negate() {
            return WasmTestModule.wat(
                    "negate",
                    "(module (func (export \"negate\") (param i32) (result i32) i32.const 0 local.get 0 i32.sub))");
        }
    }

    @Autowired
    WasmInstancePool pool;

    @Autowired
    Answer answer;

    @Test
    void testModulesAreRegisteredBesideTheApplicationsModules() {
        assertThat(pool.call("negate", "negate", 42)).containsExactly(-42);
        assertThat(answer.answer())
                .as("classpath:wasm/answer.wat, not replaced here")
                .isEqualTo(41);
    }
}
