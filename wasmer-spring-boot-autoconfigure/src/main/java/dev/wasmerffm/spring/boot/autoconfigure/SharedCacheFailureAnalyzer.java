package dev.wasmerffm.spring.boot.autoconfigure;

import java.util.List;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.cache.CacheManager;
import org.springframework.core.env.Environment;

/**
 * The shared module cache asked for without one {@code CacheManager}: most often the Redis recipe on Spring Boot 4
 * without {@code spring-boot-starter-cache}, where Boot's cache auto-configuration now lives.
 */
class SharedCacheFailureAnalyzer extends AbstractFailureAnalyzer<NoCacheManagerException> {

    private static final String PROPERTY = "wasmer.cache.shared.enabled";

    private final BeanFactory beanFactory;
    private final Environment environment;

    SharedCacheFailureAnalyzer(BeanFactory beanFactory, Environment environment) {
        this.beanFactory = beanFactory;
        this.environment = environment;
    }

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, NoCacheManagerException cause) {
        List<String> managers = this.beanFactory instanceof ListableBeanFactory f
                ? List.of(f.getBeanNamesForType(CacheManager.class, true, false))
                : List.of();
        return new FailureAnalysis(
                PROPERTY + "=true" + origin() + " keeps compiled modules in a Spring cache, but the context has "
                        + (managers.isEmpty()
                                ? "no CacheManager bean."
                                : managers.size() + " CacheManager beans " + managers + " and none is @Primary."),
                managers.isEmpty()
                        ? "On Spring Boot 4 the cache auto-configuration is in spring-boot-starter-cache: add it next to"
                                + " spring-boot-starter-data-redis, with @EnableCaching and spring.cache.type=redis"
                                + " (or define a CacheManager bean); or set " + PROPERTY + "=false."
                        : "Mark the CacheManager for the module cache @Primary, or set " + PROPERTY + "=false.",
                cause);
    }

    /** Where the property was set, as Boot's own reports say it. */
    private String origin() {
        ConfigurationPropertyName name = ConfigurationPropertyName.of(PROPERTY);
        for (ConfigurationPropertySource source : ConfigurationPropertySources.get(this.environment)) {
            ConfigurationProperty property = source.getConfigurationProperty(name);
            if (property != null && property.getOrigin() != null) {
                return " (from " + property.getOrigin() + ")";
            }
        }
        return "";
    }
}
