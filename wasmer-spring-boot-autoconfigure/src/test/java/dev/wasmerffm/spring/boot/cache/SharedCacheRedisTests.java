package dev.wasmerffm.spring.boot.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wasmerffm.Instance;
import dev.wasmerffm.Store;
import dev.wasmerffm.cache.ModuleCache;
import dev.wasmerffm.pool.WasmInstancePool;
import dev.wasmerffm.pool.WasmModules;
import dev.wasmerffm.spring.boot.autoconfigure.WasmerAutoConfiguration;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.cache.autoconfigure.CacheAutoConfiguration;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.cache.Cache;
import org.springframework.cache.CacheManager;
import org.springframework.cache.annotation.EnableCaching;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;

/** The shared artifact cache on a real Redis: contexts stand for the pods of one service. */
@ExtendWith(OutputCaptureExtension.class)
class SharedCacheRedisTests {

    static final String KEY = "wasmer.cache.shared.key=the fleet's secret, 32 characters or more";

    @Configuration(proxyBeanMethods = false)
    @EnableCaching
    static class Caching {}

    /** A pod: no disk cache (a fresh container), the shared level on {@code redis} under a per-test cache name. */
    static ApplicationContextRunner pod(RealRedis redis, String cacheName) {
        return new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(
                        DataRedisAutoConfiguration.class, CacheAutoConfiguration.class, WasmerAutoConfiguration.class))
                .withUserConfiguration(Caching.class)
                .withPropertyValues(redis.properties())
                .withPropertyValues(
                        "wasmer.cache.enabled=false",
                        "wasmer.cache.shared.enabled=true",
                        KEY,
                        "wasmer.cache.shared.cache-name=" + cacheName);
    }

    @Test
    void aSecondPodCompilesNothingAndATamperedEntryIsRecompiledNotLoaded() throws Exception {
        String name = "wasmer-" + UUID.randomUUID();
        try (RealRedis redis = RealRedis.start()) {
            pod(redis, name).run(ctx -> {
                ModuleCache.Stats s = ctx.getBean(ModuleCache.class).stats();
                assertThat(s.compiles()).isEqualTo(3);
                assertThat(s.sharedLoads()).isZero();
            });
            pod(redis, name).run(ctx -> {
                ModuleCache.Stats s = ctx.getBean(ModuleCache.class).stats();
                assertThat(s.compiles()).as(s.toString()).isZero();
                assertThat(s.sharedLoads()).isEqualTo(3);
                assertThat(s.sharedErrors()).isZero();
                assertThat(ctx.getBean(WasmInstancePool.class).call("add", "add", 40, 2))
                        .containsExactly(42);
                // An attacker with write access to Redis swaps one byte of the add module's machine code.
                String key = ctx.getBean(WasmModules.class).get("add").cacheKey();
                Cache cache = ctx.getBean(CacheManager.class).getCache(name);
                byte[] forged = cache.get(key, byte[].class).clone();
                forged[forged.length / 2] ^= 0x40;
                cache.put(key, forged);
            });
            pod(redis, name).run(ctx -> {
                ModuleCache.Stats s = ctx.getBean(ModuleCache.class).stats();
                assertThat(s.sharedRejected()).isEqualTo(1);
                assertThat(s.compiles()).isEqualTo(1);
                assertThat(s.sharedLoads()).isEqualTo(2);
                assertThat(ctx.getBean(WasmInstancePool.class).call("add", "add", 1, 2))
                        .containsExactly(3);
            });
            pod(redis, name).run(ctx -> assertThat(
                            ctx.getBean(ModuleCache.class).stats().sharedLoads())
                    .as("the recompiled artifact replaced the forged one")
                    .isEqualTo(3));
        }
    }

    @Test
    void redisGoingAwayDegradesToLocalCompiles() throws Exception {
        String name = "wasmer-" + UUID.randomUUID();
        RealRedis redis = RealRedis.start();
        ApplicationContextRunner pod = pod(redis, name);
        try {
            pod.run(ctx -> {
                ModuleCache cache = ctx.getBean(ModuleCache.class);
                assertThat(cache.stats().compiles()).isEqualTo(3);
                redis.close(); // mid-run
                byte[] sub =
                        "(module (func (export \"sub\") (param i32 i32) (result i32) local.get 0 local.get 1 i32.sub))"
                                .getBytes();
                try (Store store = new Store(cache.engine());
                        Instance in = Instance.create(store, cache.get(sub))) {
                    assertThat(in.func("sub").call(5, 3)).containsExactly(2);
                }
                // The read fails (counted); RedisCache's put returned at once without an error while Redis was down.
                assertThat(cache.stats().sharedErrors()).isPositive();
                assertThat(ctx.getBean(WasmInstancePool.class).call("add", "add", 2, 2))
                        .containsExactly(4);
            });
            pod.run(
                    ctx -> { // a pod starting while Redis is down
                        assertThat(ctx).hasNotFailed();
                        ModuleCache.Stats s = ctx.getBean(ModuleCache.class).stats();
                        assertThat(s.compiles()).isEqualTo(3);
                        assertThat(s.sharedErrors()).isGreaterThanOrEqualTo(3);
                        assertThat(ctx.getBean(WasmInstancePool.class).call("add", "add", 3, 4))
                                .containsExactly(7);
                    });
        } finally {
            redis.close();
        }
    }

    /** The README's recipe as an application: data-redis, {@code @EnableCaching}, {@code spring.cache.type=redis}. */
    @SpringBootConfiguration
    @EnableAutoConfiguration
    @EnableCaching
    static class RecipeApp {}

    static SpringApplicationBuilder recipe(RealRedis redis, String cacheName) {
        return new SpringApplicationBuilder(RecipeApp.class)
                .web(WebApplicationType.NONE)
                .properties(redis.properties())
                .properties(
                        "spring.main.banner-mode=off",
                        "wasmer.cache.enabled=false",
                        KEY,
                        "wasmer.cache.shared.cache-name=" + cacheName);
    }

    @Test
    void theRecipeWithoutSpringBootStarterCacheIsAShortReportAndWithItStarts(CapturedOutput output) throws Exception {
        String name = "wasmer-" + UUID.randomUUID();
        String shared = "--wasmer.cache.shared.enabled=true";
        try (RealRedis redis = RealRedis.start()) {
            // Without spring-boot-starter-cache, Boot 4 has no CacheAutoConfiguration: no RedisCacheManager is made.
            assertThatThrownBy(() -> recipe(redis, name)
                            .properties("spring.autoconfigure.exclude=" + CacheAutoConfiguration.class.getName())
                            .run(shared))
                    .isNotNull();
            String log = output.getAll();
            String report = log.substring(log.lastIndexOf("APPLICATION FAILED TO START"));
            assertThat(report.substring(report.indexOf("Description:"), report.indexOf("Action:")))
                    .contains(
                            "wasmer.cache.shared.enabled=true (from \"wasmer.cache.shared.enabled\" from property"
                                    + " source \"commandLineArgs\")",
                            "the context has no CacheManager bean");
            assertThat(report.substring(report.indexOf("Action:")))
                    .contains("add it next to spring-boot-starter-data-redis, with @EnableCaching and"
                            + " spring.cache.type=redis");
            assertThat(report.strip().lines()).as(report).hasSizeLessThanOrEqualTo(12);
            // With it (CacheAutoConfiguration), the same application starts and keeps its modules in Redis.
            try (ConfigurableApplicationContext ctx = recipe(redis, name).run(shared)) {
                String key = ctx.getBean(WasmModules.class).get("add").cacheKey();
                assertThat(ctx.getBean(CacheManager.class).getCache(name).get(key, byte[].class))
                        .isNotEmpty();
            }
        }
    }

    @Test
    void misconfigurationFailsStartupNamingTheProperty() {
        ApplicationContextRunner runner = new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(WasmerAutoConfiguration.class))
                .withPropertyValues("wasmer.cache.enabled=false", "wasmer.cache.shared.enabled=true");
        runner.withPropertyValues(KEY).run(ctx -> assertThat(ctx)
                .getFailure()
                .rootCause()
                .hasMessageContaining("wasmer.cache.shared.enabled=true needs one CacheManager bean"));
        runner.withUserConfiguration(Caching.class)
                .withPropertyValues("wasmer.cache.shared.key=short")
                .withConfiguration(AutoConfigurations.of(CacheAutoConfiguration.class))
                .run(ctx -> assertThat(ctx)
                        .getFailure()
                        .rootCause()
                        .isInstanceOf(InvalidConfigurationPropertyValueException.class)
                        .hasMessageContaining("wasmer.cache.shared.key")
                        .hasMessageContaining("an artifact key needs at least 32 bytes, got 5"));
    }
}
