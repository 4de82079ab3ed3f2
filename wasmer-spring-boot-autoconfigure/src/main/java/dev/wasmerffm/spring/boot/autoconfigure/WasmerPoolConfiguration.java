package dev.wasmerffm.spring.boot.autoconfigure;

import dev.wasmerffm.Engine;
import dev.wasmerffm.pool.WasmInstancePool;
import dev.wasmerffm.pool.WasmModules;
import dev.wasmerffm.pool.WasmerObserver;
import dev.wasmerffm.spring.boot.interop.WasmHostFunctions;
import java.util.stream.Collectors;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The instance pool: each module's limits, the pool's settings and a WASI module's configuration come from
 * {@link PropertiesWasmerSettings}; instances import the {@code @WasmHostFunction} bean methods (an Extism plugin's
 * {@code extism:host/user} ones too, beside its {@code plugin.*} settings).
 */
@Configuration(proxyBeanMethods = false)
class WasmerPoolConfiguration {

    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    WasmInstancePool wasmerInstancePool(
            Engine engine,
            WasmModules modules,
            PropertiesWasmerSettings settings,
            ObjectProvider<WasmerObserver> observer,
            WasmHostFunctions hostFunctions) {
        WasmInstancePool.Builder pool = settings.pool(WasmInstancePool.builder(modules))
                .limits(settings.moduleLimits(
                        engine.config(),
                        modules.all().stream().collect(Collectors.toMap(WasmModules.Entry::name, e -> e.module()
                                .engine()
                                .config()))))
                .observer(WasmerObserver.of(observer.orderedStream().toList()))
                .imports(hostFunctions::imports)
                .plugins((name, plugin) -> {
                    settings.plugin(name, plugin);
                    hostFunctions.plugin(modules.get(name).module(), plugin);
                });
        // after the values are checked: a refused value is the more precise report
        settings.checkModuleSettings(
                modules.all().stream().map(WasmModules.Entry::name).toList());
        return pool.build();
    }

    @Bean
    WasmerCallsLifecycle wasmerCallsLifecycle(WasmInstancePool pool) {
        return new WasmerCallsLifecycle(pool);
    }
}
