package dev.wasmerffm.spring.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.support.DefaultListableBeanFactory;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.cache.concurrent.ConcurrentMapCacheManager;
import org.springframework.mock.env.MockEnvironment;

/** Several {@code CacheManager}s and none primary: the report names them (the recipe's case: SharedCacheRedisTests). */
class SharedCacheFailureAnalyzerTests {

    @Test
    void severalCacheManagersAreNamed() {
        DefaultListableBeanFactory beans = new DefaultListableBeanFactory();
        beans.registerSingleton("local", new ConcurrentMapCacheManager());
        beans.registerSingleton("remote", new ConcurrentMapCacheManager());
        FailureAnalysis analysis = new SharedCacheFailureAnalyzer(beans, new MockEnvironment())
                .analyze(new IllegalStateException(new NoCacheManagerException()));
        assertThat(analysis.getDescription())
                .isEqualTo("wasmer.cache.shared.enabled=true keeps compiled modules in a Spring cache, but the context"
                        + " has 2 CacheManager beans [local, remote] and none is @Primary.");
        assertThat(analysis.getAction()).startsWith("Mark the CacheManager for the module cache @Primary");
    }
}
