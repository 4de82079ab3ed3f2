package dev.wasmerffm.spring.boot.autoconfigure;

import dev.wasmerffm.pool.WasmModules;
import dev.wasmerffm.spring.boot.annotation.WasmModule;
import dev.wasmerffm.spring.boot.interop.WasmHostFunctions;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.LazyInitializationExcludeFilter;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

/**
 * The {@code @WasmHostFunction} bean methods every pooled instance imports, and a bean for each {@code @WasmModule}
 * interface in the application's packages.
 */
@Configuration(proxyBeanMethods = false)
@Import(WasmModuleInterfacesRegistrar.class)
class WasmerModuleInterfacesConfiguration {

    /** Static: it post-processes beans, so it must exist before them. */
    @Bean
    @ConditionalOnMissingBean
    static WasmHostFunctions wasmerHostFunctions(ObjectProvider<WasmModules> modules) {
        return new WasmHostFunctions(modules::getObject);
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
