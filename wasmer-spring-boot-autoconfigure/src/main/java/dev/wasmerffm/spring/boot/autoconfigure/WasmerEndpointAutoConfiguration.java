package dev.wasmerffm.spring.boot.autoconfigure;

import dev.wasmerffm.Engine;
import dev.wasmerffm.pool.WasmInstancePool;
import dev.wasmerffm.pool.WasmModules;
import dev.wasmerffm.spring.boot.actuate.endpoint.WasmerEndpoint;
import dev.wasmerffm.spring.boot.interop.WasmHostFunctions;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/** The {@code wasmer} actuator endpoint, when available and exposed. */
@AutoConfiguration(after = WasmerAutoConfiguration.class)
@ConditionalOnClass({Endpoint.class, ConditionalOnAvailableEndpoint.class})
@ConditionalOnBean(Engine.class)
public final class WasmerEndpointAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnAvailableEndpoint
    WasmerEndpoint wasmerEndpoint(
            Engine engine,
            WasmModules modules,
            WasmInstancePool pool,
            ObjectProvider<WasmHostFunctions> hostFunctions) {
        return new WasmerEndpoint(engine, modules, pool, hostFunctions.getIfAvailable());
    }
}
