package dev.wasmerffm.spring.boot.autoconfigure;

import dev.wasmerffm.Engine;
import dev.wasmerffm.Store;
import dev.wasmerffm.cache.ModuleCache;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;

/**
 * Auto-configuration of the Wasmer runtime: an {@link Engine} from {@code wasmer.*} properties, a thread-safe
 * {@link Store}, a {@link ModuleCache}, the modules found at {@code wasmer.modules.locations}, an instance pool whose
 * instances import the beans' {@code @WasmHostFunction} methods, and a bean for each {@code @WasmModule} interface.
 * Beans close with the context, dependents first. {@link PropertiesWasmerSettings} maps the properties to the
 * binding's types for each of them.
 */
@AutoConfiguration
@ConditionalOnClass(Engine.class)
@ConditionalOnBooleanProperty(name = "wasmer.enabled", matchIfMissing = true)
@EnableConfigurationProperties(WasmerProperties.class)
@Import({
    WasmerEngineConfiguration.class,
    WasmerModulesConfiguration.class,
    WasmerPoolConfiguration.class,
    WasmerModuleInterfacesConfiguration.class
})
public final class WasmerAutoConfiguration {

    @Bean
    PropertiesWasmerSettings wasmerPropertiesSettings(WasmerProperties properties) {
        return new PropertiesWasmerSettings(properties);
    }
}
