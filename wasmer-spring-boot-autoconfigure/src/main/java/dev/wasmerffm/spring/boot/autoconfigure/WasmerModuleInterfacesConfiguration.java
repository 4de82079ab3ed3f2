package dev.wasmerffm.spring.boot.autoconfigure;

import dev.wasmerffm.pool.WasmModules;
import dev.wasmerffm.spring.boot.annotation.WasmModule;
import dev.wasmerffm.spring.boot.interop.PluginPayloads;
import dev.wasmerffm.spring.boot.interop.WasmHostFunctions;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.LazyInitializationExcludeFilter;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import tools.jackson.databind.json.JsonMapper;

/**
 * The {@code @WasmHostFunction} bean methods every pooled instance imports, and a bean for each {@code @WasmModule}
 * interface in the application's packages, with JSON for Extism plugins' payloads where Jackson is present.
 */
@Configuration(proxyBeanMethods = false)
@Import(WasmModuleInterfacesRegistrar.class)
class WasmerModuleInterfacesConfiguration {

    /** Static: it post-processes beans, so it must exist before them. */
    @Bean
    @ConditionalOnMissingBean
    static WasmHostFunctions wasmerHostFunctions(
            ObjectProvider<WasmModules> modules, ObjectProvider<PluginPayloads.Json> json) {
        return new WasmHostFunctions(modules::getObject, new PluginPayloads(json::getIfAvailable));
    }

    /** How Extism plugins' inputs and outputs map to the Java types of interface methods. */
    @Bean
    @ConditionalOnMissingBean
    PluginPayloads wasmerPluginPayloads(ObjectProvider<PluginPayloads.Json> json) {
        return new PluginPayloads(json::getIfAvailable);
    }

    /** JSON through the application's Jackson mapper (Jackson 3), or Jackson's defaults if it has none. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "tools.jackson.databind.json.JsonMapper")
    static class JacksonPluginPayloadsConfiguration {

        @Bean
        @ConditionalOnMissingBean
        PluginPayloads.Json wasmerPluginJson(ObjectProvider<JsonMapper> mapper) {
            return new JacksonPluginJson(
                    mapper.getIfAvailable(() -> JsonMapper.builder().build()));
        }
    }

    /**
     * Host-function beans are found only when made, and module interfaces are checked when made: under
     * {@code spring.main.lazy-initialization} both are still made at startup.
     */
    @Bean
    static LazyInitializationExcludeFilter wasmerLazyInitializationExcludeFilter() {
        return (name, definition, type) ->
                type.isAnnotationPresent(WasmModule.class) || WasmHostFunctions.declaresHostFunctions(type);
    }
}
