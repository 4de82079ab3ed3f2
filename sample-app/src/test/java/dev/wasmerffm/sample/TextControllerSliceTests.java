package dev.wasmerffm.sample;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import dev.wasmerffm.Engine;
import dev.wasmerffm.pool.WasmInstancePool;
import dev.wasmerffm.spring.boot.test.autoconfigure.AutoConfigureWasmer;
import dev.wasmerffm.spring.boot.test.autoconfigure.WasmTestModule;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.webmvc.test.autoconfigure.WebMvcTest;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.http.MediaType;
import org.springframework.test.web.servlet.MockMvc;

/**
 * The README's "Testing your app": a {@code @WebMvcTest} slice with {@code @AutoConfigureWasmer} runs the real plugin
 * behind the controller, no {@code @MockitoBean}; a module registered from WAT text in the test.
 */
@WebMvcTest(controllers = TextController.class, properties = "wasmer.cache.enabled=false")
@AutoConfigureWasmer
@Import(PluginLog.class) // a @Component with a @WasmHostFunction: a web slice leaves it out
class TextControllerSliceTests {

    @TestConfiguration(proxyBeanMethods = false)
    static class Modules {
        @Bean
        WasmTestModule answerModule() {
            return WasmTestModule.wat("answer", "(module (func (export \"answer\") (result i32) i32.const 42))");
        }
    }

    @Autowired
    MockMvc mvc;

    @Autowired
    WasmInstancePool pool;

    @Test
    void theControllerRunsTheRealPluginWithNoMocks() throws Exception {
        mvc.perform(post("/text/slug").contentType(MediaType.TEXT_PLAIN).content("Hello, Wasm World!"))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.slug").value("hello-wasm-world"))
                .andExpect(jsonPath("$.words").value(3));
        mvc.perform(get("/text/log")).andExpect(jsonPath("$[-1]").value("Hello, Wasm World!"));
    }

    @Test
    void aTestRegistersAModuleFromWatText() {
        assertThat(pool.call("answer", "answer")).containsExactly(42);
    }

    /** The surefire argLine in this pom: FFM's restricted methods print no warning when native access is on. */
    @Test
    void testsRunWithNativeAccessEnabled() {
        assertThat(Engine.class.getModule().isNativeAccessEnabled()).isTrue();
    }
}
