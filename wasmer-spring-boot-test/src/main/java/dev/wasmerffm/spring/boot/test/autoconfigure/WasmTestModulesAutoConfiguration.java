package dev.wasmerffm.spring.boot.test.autoconfigure;

import dev.wasmerffm.pool.WasmModules;
import dev.wasmerffm.spring.boot.autoconfigure.WasmerAutoConfiguration;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.context.annotation.Bean;

/** Registers the {@link WasmTestModule} beans into the {@link WasmModules} bean as soon as it is made. */
@AutoConfiguration(after = WasmerAutoConfiguration.class)
public final class WasmTestModulesAutoConfiguration {

    /** Static: it post-processes the registry, so it must exist before it; the modules are looked up only then. */
    @Bean
    static WasmTestModuleRegistrar wasmTestModuleRegistrar(ObjectProvider<WasmTestModule> modules) {
        return new WasmTestModuleRegistrar(modules);
    }

    static final class WasmTestModuleRegistrar implements BeanPostProcessor {

        private final ObjectProvider<WasmTestModule> modules;

        WasmTestModuleRegistrar(ObjectProvider<WasmTestModule> modules) {
            this.modules = modules;
        }

        @Override
        public Object postProcessAfterInitialization(Object bean, String beanName) {
            if (bean instanceof WasmModules registry) {
                modules.orderedStream().forEach(m -> registry.register(m.name(), m.bytes()));
            }
            return bean;
        }
    }
}
