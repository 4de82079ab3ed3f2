package dev.wasmerffm.spring.boot.autoconfigure.health;

import dev.wasmerffm.Engine;
import dev.wasmerffm.pool.WasmModules;
import dev.wasmerffm.spring.boot.annotation.WasmModule;
import dev.wasmerffm.spring.boot.autoconfigure.WasmerAutoConfiguration;
import dev.wasmerffm.spring.boot.health.WasmerHealthIndicator;
import java.util.Map;
import java.util.TreeMap;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.util.function.SingletonSupplier;

/** The {@code wasmer} health indicator ({@code management.health.wasmer.enabled}). */
@AutoConfiguration(after = WasmerAutoConfiguration.class)
@ConditionalOnClass(AbstractHealthIndicator.class)
@ConditionalOnBean({Engine.class, WasmModules.class})
@ConditionalOnEnabledHealthIndicator("wasmer")
public final class WasmerHealthContributorAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean(name = "wasmerHealthIndicator")
    WasmerHealthIndicator wasmerHealthIndicator(
            Engine engine, WasmModules modules, ConfigurableListableBeanFactory beanFactory) {
        return new WasmerHealthIndicator(engine, modules, SingletonSupplier.of(() -> interfaces(beanFactory)));
    }

    /** Each {@code @WasmModule} bean's type and module, by type name. */
    private static Map<String, String> interfaces(ConfigurableListableBeanFactory beanFactory) {
        Map<String, String> found = new TreeMap<>();
        for (String name : beanFactory.getBeanNamesForAnnotation(WasmModule.class)) {
            Class<?> type = beanFactory.getType(name, false);
            if (type != null) {
                // a created bean's type is its proxy class: name the interface the annotation is on
                for (Class<?> i : type.isInterface() ? new Class<?>[] {type} : type.getInterfaces()) {
                    WasmModule annotation = i.getAnnotation(WasmModule.class);
                    if (annotation != null) {
                        found.put(i.getName(), annotation.value());
                    }
                }
            }
        }
        return Map.copyOf(found);
    }
}
