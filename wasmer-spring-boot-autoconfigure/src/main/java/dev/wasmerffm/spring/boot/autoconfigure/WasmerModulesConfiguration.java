package dev.wasmerffm.spring.boot.autoconfigure;

import dev.wasmerffm.Config;
import dev.wasmerffm.Engine;
import dev.wasmerffm.Wasmer;
import dev.wasmerffm.WasmerLibrary;
import dev.wasmerffm.cache.ModuleCache;
import dev.wasmerffm.pool.WasmModules;
import dev.wasmerffm.pool.WasmerObserver;
import dev.wasmerffm.spring.boot.modules.WasmModuleLocations;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.cache.CacheManager;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.io.support.ResourcePatternResolver;

/**
 * The module cache and the modules loaded at startup, each module with a memory limit of its own compiled by an
 * engine of its own; and the one INFO line saying what runs.
 */
@Configuration(proxyBeanMethods = false)
class WasmerModulesConfiguration {

    private static final Log logger = LogFactory.getLog(WasmerAutoConfiguration.class);

    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    ModuleCache wasmerModuleCache(
            Engine engine, PropertiesWasmerSettings settings, ObjectProvider<CacheManager> cacheManager) {
        return settings.moduleCache(engine, cacheManager::getIfUnique);
    }

    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    WasmModules wasmerModules(
            ModuleCache cache,
            PropertiesWasmerSettings settings,
            ResourcePatternResolver resolver,
            ObjectProvider<WasmerObserver> observer,
            ObjectProvider<CacheManager> cacheManager) {
        List<String> locations = settings.moduleLocations();
        // the modules' own caches and engines: WasmModules closes those of the modules it loads
        Map<String, ModuleCache> own = new HashMap<>();
        WasmModules modules;
        List<String> emptyLocations;
        settings.checkEngine(cache.engine());
        try {
            settings.moduleConfigs(cache.engine().config())
                    .forEach((name, config) ->
                            own.put(name, settings.moduleCache(new Engine(config), cacheManager::getIfUnique)));
            WasmModules.Builder builder = WasmModules.builder(cache)
                    .cacheOf(name -> own.getOrDefault(name, cache))
                    .observer(WasmerObserver.of(observer.orderedStream().toList()));
            emptyLocations = WasmModuleLocations.addAll(builder, resolver, locations);
            modules = builder.build();
        } catch (RuntimeException e) {
            own.values().forEach(c -> {
                c.close();
                c.engine().close();
            });
            throw e;
        }
        if (!locations.equals(WasmerProperties.Modules.DEFAULT_LOCATIONS)) { // the defaults may well be empty
            emptyLocations.forEach(l -> logger.warn("wasmer.modules.locations: '" + l + "' matches no module"));
        }
        logStartup(cache, modules);
        return modules;
    }

    private static void logStartup(ModuleCache cache, WasmModules modules) {
        Config config = cache.engine().config();
        ModuleCache.Stats stats = cache.stats();
        logger.info("Wasmer " + Wasmer.version().full() + " (" + WasmerLibrary.load() + "), backend "
                + config.backend() + ", metering "
                + (config.metering() == null
                        ? "off"
                        : config.copy().deadlines(false).metering() == null
                                ? "for deadlines only"
                                : config.metering().initialPoints() + " points")
                + ", "
                + modules.all().size() + " modules "
                + modules.all().stream().map(WasmModules.Entry::name).toList() + " (compiled " + stats.compiles()
                + ", from disk " + stats.diskLoads() + ", from shared cache " + stats.sharedLoads() + ")");
    }
}
