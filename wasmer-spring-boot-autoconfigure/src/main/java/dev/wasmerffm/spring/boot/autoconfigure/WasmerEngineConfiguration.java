package dev.wasmerffm.spring.boot.autoconfigure;

import dev.wasmerffm.Config;
import dev.wasmerffm.Engine;
import dev.wasmerffm.Store;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The engine, from the properties and then the {@link WasmerConfigCustomizer}s in order, and the Store bean. */
@Configuration(proxyBeanMethods = false)
class WasmerEngineConfiguration {

    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    Engine wasmerEngine(PropertiesWasmerSettings settings, ObjectProvider<WasmerConfigCustomizer> customizers) {
        settings.loadLibrary();
        Config config = settings.engineConfig();
        customizers.orderedStream().forEach(c -> c.customize(config));
        return settings.made(new Engine(config));
    }

    /**
     * For long-lived instances: it keeps everything made in it until shutdown, so it makes at most
     * {@code wasmer.store.max-instances}. Safe to inject anywhere (every call takes the store's lock); per-request
     * and parallel work belongs in the instance pool.
     */
    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    Store wasmerStore(Engine engine, PropertiesWasmerSettings settings) {
        return settings.store(engine);
    }
}
