package dev.wasmerffm.spring.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wasmerffm.Instance;
import dev.wasmerffm.Store;
import dev.wasmerffm.cache.ModuleCache;
import dev.wasmerffm.pool.WasmInstancePool;
import dev.wasmerffm.pool.WasmModules;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntBinaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;

/** A real application context: three classpath modules, eight threads, and a restart that compiles nothing. */
public class WasmerIntegrationTests {

    @Configuration(proxyBeanMethods = false)
    @EnableAutoConfiguration
    public static class App {}

    static ConfigurableApplicationContext start(Path cacheDir) {
        return new SpringApplicationBuilder(App.class)
                .web(WebApplicationType.NONE)
                .properties("wasmer.cache.directory=" + cacheDir, "wasmer.pool.size=4")
                .run();
    }

    @Test
    void eightThreadsThroughTheStoreBeanAndThePoolThenARestartCompilesNothing(@TempDir Path cacheDir) throws Exception {
        try (ConfigurableApplicationContext ctx = start(cacheDir);
                ExecutorService threads = Executors.newFixedThreadPool(8)) {
            WasmModules modules = ctx.getBean(WasmModules.class);
            assertThat(modules.all()).hasSize(3);
            assertThat(ctx.getBean(ModuleCache.class).stats().compiles()).isEqualTo(3);
            Store store = ctx.getBean(Store.class); // one store shared by every thread: calls take turns
            Instance shared = Instance.create(store, modules.get("add").module());
            IntBinaryOperator sharedAdd = shared.func("add").asIntBinaryOperator();
            WasmInstancePool pool = ctx.getBean(WasmInstancePool.class);
            List<Future<Integer>> wrong = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int base = t * 100_000;
                wrong.add(threads.submit(() -> {
                    int bad = 0;
                    for (int i = 0; i < 2_000; i++) {
                        bad += sharedAdd.applyAsInt(base, i) == base + i ? 0 : 1;
                        bad += (Integer) pool.call("add", "add", base, i)[0] == base + i ? 0 : 1;
                        try (WasmInstancePool.Lease lease = pool.borrow("counter")) {
                            // a pooled instance is this thread's alone while leased: its counter only moves here
                            int before = (Integer) lease.instance().func("next").call()[0];
                            bad += (Integer) lease.instance().func("next").call()[0] == before + 1 ? 0 : 1;
                        }
                    }
                    return bad;
                }));
            }
            for (Future<Integer> f : wrong) {
                assertThat(f.get()).isZero();
            }
            assertThat(pool.stats().get("add").created()).isBetween(1, 4);
            assertThat(pool.stats().get("counter").inUse()).isZero();
        }
        try (ConfigurableApplicationContext again = start(cacheDir)) {
            ModuleCache.Stats stats = again.getBean(ModuleCache.class).stats();
            assertThat(stats.compiles()).isZero();
            assertThat(stats.diskLoads()).isEqualTo(3);
            assertThat(again.getBean(WasmInstancePool.class).call("add", "add", 1, 2))
                    .containsExactly(3);
        }
    }
}
