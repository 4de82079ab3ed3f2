package dev.wasmerffm.spring.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wasmerffm.Backend;
import dev.wasmerffm.BackendUnavailableException;
import dev.wasmerffm.Config;
import dev.wasmerffm.DeadlineExceededException;
import dev.wasmerffm.Engine;
import dev.wasmerffm.Feature;
import dev.wasmerffm.MeteringExhaustedException;
import dev.wasmerffm.Store;
import dev.wasmerffm.cache.CacheDirectoryException;
import dev.wasmerffm.cache.ModuleCache;
import dev.wasmerffm.pool.ModuleLimits;
import dev.wasmerffm.pool.PoolExhaustedException;
import dev.wasmerffm.pool.UnknownModuleException;
import dev.wasmerffm.pool.WasmInstancePool;
import dev.wasmerffm.pool.WasmModules;
import dev.wasmerffm.spring.boot.actuate.endpoint.WasmerEndpoint;
import dev.wasmerffm.spring.boot.autoconfigure.health.WasmerHealthContributorAutoConfiguration;
import dev.wasmerffm.spring.boot.autoconfigure.metrics.WasmerMetricsAutoConfiguration;
import dev.wasmerffm.spring.boot.health.WasmerHealthIndicator;
import dev.wasmerffm.spring.boot.info.WasmerInfoContributor;
import dev.wasmerffm.spring.boot.metrics.WasmerMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.boot.actuate.autoconfigure.endpoint.EndpointAutoConfiguration;
import org.springframework.boot.actuate.autoconfigure.endpoint.web.WebEndpointAutoConfiguration;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;

@ExtendWith(OutputCaptureExtension.class)
class WasmerAutoConfigurationTests {

    @TempDir
    Path cacheDir;

    ApplicationContextRunner runner() {
        return new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(
                        WasmerAutoConfiguration.class,
                        WasmerEndpointAutoConfiguration.class,
                        WasmerHealthContributorAutoConfiguration.class,
                        WasmerInfoContributorAutoConfiguration.class,
                        WasmerMetricsAutoConfiguration.class,
                        EndpointAutoConfiguration.class,
                        WebEndpointAutoConfiguration.class))
                .withPropertyValues("wasmer.cache.directory=" + cacheDir);
    }

    @Test
    void defaults() {
        runner().run(ctx -> {
            assertThat(ctx)
                    .hasNotFailed()
                    .hasSingleBean(Engine.class)
                    .hasSingleBean(Store.class)
                    .hasSingleBean(ModuleCache.class)
                    .hasSingleBean(WasmModules.class)
                    .hasSingleBean(WasmInstancePool.class)
                    .hasSingleBean(WasmerHealthIndicator.class)
                    .hasSingleBean(WasmerInfoContributor.class);
            Engine engine = ctx.getBean(Engine.class);
            assertThat(engine.config().backend()).isEqualTo(Backend.CRANELIFT);
            assertThat(engine.config().deadlines())
                    .as("for the default call timeout")
                    .isTrue();
            assertThat(ctx.getBean(WasmInstancePool.class).limits("add").callTimeout())
                    .isEqualTo(Duration.ofSeconds(10));
            assertThat(ctx.getBean(WasmModules.class).all())
                    .extracting(WasmModules.Entry::name)
                    .containsExactly("add", "counter", "spin");
            assertThat(ctx.getBean(WasmInstancePool.class).call("add", "add", 40, 2))
                    .containsExactly(42);
            assertThat(ctx).doesNotHaveBean(WasmerEndpoint.class); // not exposed by default
            assertThat(ctx).doesNotHaveBean(WasmerMetrics.class); // no registry
        });
    }

    @Test
    void eachPropertyReachesTheEngine() {
        runner().withPropertyValues(
                        "wasmer.backend=singlepass",
                        "wasmer.features.bulk-memory=true",
                        "wasmer.features.simd=false",
                        "wasmer.canonicalize-nans=true",
                        "wasmer.target.cpu-features=sse2,sse4.2,avx",
                        "wasmer.metering.enabled=true",
                        "wasmer.metering.initial-points=5000",
                        "wasmer.metering.costs.Loop=7",
                        "wasmer.cache.enabled=false",
                        "wasmer.pool.size=3",
                        "wasmer.pool.borrow-timeout=250ms",
                        "wasmer.modules.locations=classpath:wasm/spin.wat",
                        "wasmer.limits.max-memory=2MB",
                        "wasmer.limits.max-table-elements=100")
                .run(ctx -> {
                    assertThat(ctx).hasNotFailed();
                    Config c = ctx.getBean(Engine.class).config();
                    assertThat(c.backend()).isEqualTo(Backend.SINGLEPASS);
                    assertThat(c.features())
                            .containsEntry(Feature.BULK_MEMORY, true)
                            .containsEntry(Feature.SIMD, false);
                    assertThat(c.canonicalizeNans()).isTrue();
                    assertThat(c.target().cpuFeatures()).containsExactlyInAnyOrder("sse2", "sse4.2", "avx");
                    assertThat(c.metering().initialPoints()).isEqualTo(5000);
                    assertThat(c.metering().cost("Loop")).isEqualTo(7);
                    assertThat(c.metering().cost("I32Add")).isEqualTo(1);
                    assertThat(c.maxMemoryPages()).isEqualTo(32);
                    assertThat(c.maxTableElements()).isEqualTo(100);
                    WasmModules modules = ctx.getBean(WasmModules.class);
                    assertThat(modules.all())
                            .extracting(WasmModules.Entry::name)
                            .containsExactly("spin");
                    assertThat(modules.cacheState(modules.get("spin"))).isEqualTo("memory");
                    WasmInstancePool pool = ctx.getBean(WasmInstancePool.class);
                    assertThat(pool.call("spin", "square", 12L)).containsExactly(144L);
                    org.assertj.core.api.Assertions.assertThatThrownBy(() -> pool.call("spin", "spin"))
                            .isInstanceOf(MeteringExhaustedException.class);
                    assertThat(pool.call("spin", "square", 3L)).containsExactly(9L); // points given back per call
                    assertThat(pool.stats().get("spin").exhaustions()).isEqualTo(1);
                    assertThat(pool.stats().get("spin").consumedPoints()).isGreaterThan(5000);
                    org.assertj.core.api.Assertions.assertThatThrownBy(() -> pool.call("nope", "f"))
                            .isInstanceOf(UnknownModuleException.class)
                            .hasMessageContaining("[spin]");
                });
    }

    @Test
    void oneInfoLineAtStartupSaysWhatRuns(CapturedOutput output) {
        runner().withPropertyValues("wasmer.metering.enabled=true").run(ctx -> {
            assertThat(ctx).hasNotFailed();
            assertThat(output.getOut().lines().filter(l -> l.contains(" INFO ") && l.contains("Wasmer 7.4.2")))
                    .singleElement()
                    .asString()
                    .contains(
                            "libwasmer",
                            "backend cranelift",
                            "metering 10000000 points",
                            "3 modules [add, counter, spin]",
                            "(compiled 3, from disk 0");
        });
        runner().run(ctx -> assertThat(output.getOut())
                .as("the default call timeout meters with no budget")
                .contains("metering for deadlines only"));
    }

    @Test
    void userBeansMakeOursBackOff() {
        runner().withUserConfiguration(UserBeans.class).run(ctx -> {
            assertThat(ctx).hasNotFailed();
            assertThat(ctx.getBean(Engine.class)).isSameAs(ctx.getBean(UserBeans.class).engine);
            assertThat(ctx.getBean(Engine.class).config().backend()).isEqualTo(Backend.SINGLEPASS);
            assertThat(ctx.getBean(Store.class).engine()).isSameAs(ctx.getBean(UserBeans.class).engine);
        });
    }

    @Configuration(proxyBeanMethods = false)
    static class UserBeans {
        final Engine engine = new Engine(new Config().backend(Backend.SINGLEPASS));

        @Bean
        Engine myEngine() {
            return engine;
        }
    }

    @Test
    void customizersRunInOrder() {
        runner().withUserConfiguration(Customizers.class).run(ctx -> {
            assertThat(ctx).hasNotFailed();
            assertThat(Customizers.calls).containsExactly("first", "second");
            assertThat(ctx.getBean(Engine.class).config().backend()).isEqualTo(Backend.SINGLEPASS);
        });
    }

    @Configuration(proxyBeanMethods = false)
    static class Customizers {
        static final List<String> calls = new ArrayList<>();

        @Bean
        @Order(2)
        WasmerConfigCustomizer second() {
            return c -> {
                calls.add("second");
                c.backend(Backend.SINGLEPASS);
            };
        }

        @Bean
        @Order(1)
        WasmerConfigCustomizer first() {
            return c -> {
                calls.add("first");
                c.backend(Backend.LLVM); // overridden by the second
            };
        }
    }

    @Test
    void canBeDisabled() {
        runner().withPropertyValues("wasmer.enabled=false")
                .run(ctx -> assertThat(ctx).doesNotHaveBean(Engine.class).doesNotHaveBean(WasmModules.class));
    }

    @Test
    void worksWithoutActuatorOrMicrometer() {
        runner().withClassLoader(new FilteredClassLoader(
                        Endpoint.class,
                        MeterRegistry.class,
                        org.springframework.boot.health.contributor.AbstractHealthIndicator.class))
                .withPropertyValues("management.endpoints.web.exposure.include=wasmer")
                .run(ctx -> {
                    assertThat(ctx)
                            .hasNotFailed()
                            .hasSingleBean(Engine.class)
                            .hasSingleBean(WasmInstancePool.class)
                            .doesNotHaveBean(WasmerEndpoint.class)
                            .doesNotHaveBean(WasmerMetrics.class)
                            .doesNotHaveBean(WasmerHealthIndicator.class);
                });
    }

    @Test
    void anUnavailableBackendFailsStartupWithAnAction() {
        runner().withPropertyValues("wasmer.backend=llvm").run(ctx -> {
            assertThat(ctx).hasFailed();
            Throwable root = ctx.getStartupFailure();
            FailureAnalysis analysis = new WasmerFailureAnalyzer().analyze(root);
            assertThat(analysis).isNotNull();
            assertThat(analysis.getDescription()).contains("'llvm'");
            assertThat(analysis.getAction()).contains("wasmer.backend").contains("cranelift");
            assertThat(root).hasRootCauseInstanceOf(BackendUnavailableException.class);
        });
    }

    @Test
    void aCacheDirectoryOthersCanWriteFailsStartupWithAnAction() throws Exception {
        java.nio.file.Files.setPosixFilePermissions(
                cacheDir, java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwxrwx"));
        runner().run(ctx -> {
            assertThat(ctx).hasFailed();
            Throwable root = ctx.getStartupFailure();
            assertThat(root).hasRootCauseInstanceOf(CacheDirectoryException.class);
            FailureAnalysis analysis = new WasmerFailureAnalyzer().analyze(root);
            assertThat(analysis).isNotNull();
            assertThat(analysis.getDescription()).contains(cacheDir.toString()).contains("writable by group or others");
            assertThat(analysis.getAction()).contains("chmod go-w " + cacheDir).contains("wasmer.cache.directory");
        });
        // a key in configuration is the only key: a key file is neither made nor read
        java.nio.file.Files.setPosixFilePermissions(
                cacheDir, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        runner().withPropertyValues("wasmer.cache.key=" + "k".repeat(32)).run(ctx -> {
            assertThat(ctx).hasNotFailed();
            assertThat(cacheDir.resolve(".mac-key")).doesNotExist();
        });
    }

    @Test
    void theHeadlessBackendIsRefusedAtStartupNamingTheProperty() {
        runner().withPropertyValues("wasmer.backend=headless").run(ctx -> {
            assertThat(ctx).hasFailed();
            FailureAnalysis analysis = new WasmerFailureAnalyzer().analyze(ctx.getStartupFailure());
            assertThat(analysis).isNotNull();
            assertThat(analysis.getDescription())
                    .contains("wasmer.backend=headless")
                    .contains("compiles nothing");
            assertThat(analysis.getAction()).contains("wasmer.backend").contains("cranelift");
        });
    }

    @Test
    void theDiskCacheDefaultsToTheUsersOwnCacheDirectory() {
        assertThat(new WasmerProperties().getCache().getDirectory()).isNull(); // the bean then takes this one:
        String root = System.getenv("WASMER_JAVA_CACHE"); // moves the whole cache root, as the loader's does
        if (root != null) {
            assertThat(ModuleCache.defaultDirectory()).isEqualTo(Path.of(root, "modules"));
        } else {
            assertThat(ModuleCache.defaultDirectory().toString())
                    .endsWith("/wasmer-java/modules")
                    .doesNotStartWith(System.getProperty("java.io.tmpdir"));
        }
    }

    @Test
    void theStoreBeanIsForLongLivedInstancesAndRefusesToGrowPastItsLimit() {
        runner().withPropertyValues("wasmer.store.max-instances=3").run(ctx -> {
            Store store = ctx.getBean(Store.class);
            dev.wasmerffm.Module add = ctx.getBean(WasmModules.class).get("add").module();
            for (int i = 0; i < 3; i++) {
                dev.wasmerffm.Instance.create(store, add).close();
            }
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> dev.wasmerffm.Instance.create(store, add))
                    .isInstanceOf(dev.wasmerffm.StoreLimitException.class)
                    .hasMessageContaining("instance pool");
        });
    }

    /**
     * Metered modules (metering, or the deadlines of a call timeout) run in the Store bean whether the cache was cold
     * (compiled now, each compile in a native engine of its own before) or warm (loaded from disk), and with no disk
     * cache at all.
     */
    @ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(
            strings = {"wasmer.metering.enabled=true", "wasmer.limits.call-timeout=5s"})
    void theStoreBeanRunsTheStartersModulesOnAColdAndAWarmCache(String setting) {
        for (String cache : List.of("cold", "warm", "off")) {
            runner().withPropertyValues(setting, "wasmer.cache.enabled=" + !cache.equals("off"))
                    .run(ctx -> {
                        ModuleCache.Stats stats = ctx.getBean(ModuleCache.class).stats();
                        assertThat(stats.diskLoads()).as(cache).isEqualTo(cache.equals("warm") ? 3 : 0);
                        Store store = ctx.getBean(Store.class);
                        dev.wasmerffm.Module add =
                                ctx.getBean(WasmModules.class).get("add").module();
                        assertThat(add.isMetered()).isTrue();
                        dev.wasmerffm.Instance instance = dev.wasmerffm.Instance.create(store, add);
                        assertThat(instance.func("add").call(2, 3)).as(cache).containsExactly(5);
                        assertThat(instance.isMetered()).isTrue();
                        assertThat(ctx.getBean(WasmInstancePool.class).call("add", "add", 2, 3))
                                .containsExactly(5);
                    });
        }
    }

    static Stream<Arguments> settingsAnApplicationsEngineCannotHonourFailStartup() {
        return Stream.of(
                Arguments.of("wasmer.metering.enabled=true", "is not metered"),
                Arguments.of("wasmer.limits.max-memory=1MB", "has another memory limit"),
                Arguments.of("wasmer.limits.max-table-elements=10", "has another table limit"),
                Arguments.of("wasmer.limits.call-timeout=5s", "has no deadlines"));
    }

    /** The application's own Engine: properties it does not have fail startup, naming them, instead of dropping. */
    @ParameterizedTest
    @MethodSource
    void settingsAnApplicationsEngineCannotHonourFailStartup(String setting, String reason) {
        runner().withUserConfiguration(UserBeans.class)
                .withPropertyValues(setting)
                .run(ctx -> assertThat(ctx.getStartupFailure())
                        .rootCause()
                        .isInstanceOfSatisfying(InvalidConfigurationPropertyValueException.class, e -> {
                            assertThat(e.getName()).isEqualTo(setting.substring(0, setting.indexOf('=')));
                            assertThat(e.getReason()).contains(reason, "application's own Engine bean");
                        }));
    }

    /**
     * With the application's own Engine, a module's own call timeout compiles that module with deadlines (from the
     * engine's config), and the others, compiled by the application's engine without deadlines, get no default one.
     */
    @Test
    void anApplicationsEngineStillHonoursAModulesOwnCallTimeout() {
        runner().withUserConfiguration(UserBeans.class)
                .withPropertyValues("wasmer.modules.settings.spin.call-timeout=50ms")
                .run(ctx -> {
                    assertThat(ctx).hasNotFailed();
                    WasmInstancePool pool = ctx.getBean(WasmInstancePool.class);
                    assertThatThrownBy(() -> pool.call("spin", "spin")).isInstanceOf(DeadlineExceededException.class);
                    assertThat(ctx.getBean(WasmModules.class)
                                    .get("spin")
                                    .module()
                                    .engine()
                                    .config()
                                    .backend())
                            .isEqualTo(Backend.SINGLEPASS);
                    assertThat(pool.limits("add").callTimeout()).isZero();
                    assertThat(pool.call("add", "add", 1, 2)).containsExactly(3);
                });
    }

    // wasmer.limits.call-timeout and wasmer.modules.settings.<name>.*

    @Test
    void aGlobalCallTimeoutStopsAnUnmeteredEndlessLoopAndThePoolServesOn() {
        runner().withPropertyValues("wasmer.limits.call-timeout=50ms", "wasmer.pool.size=1")
                .run(ctx -> {
                    assertThat(ctx).hasNotFailed();
                    assertThat(ctx.getBean(Engine.class).config().deadlines()).isTrue();
                    WasmInstancePool pool = ctx.getBean(WasmInstancePool.class);
                    assertThat(pool.limits("spin"))
                            .isEqualTo(new ModuleLimits(Long.MAX_VALUE, Duration.ofMillis(50), -1, 1));
                    for (int i = 0; i < 3; i++) { // pool.size calls in a row: each frees its slot
                        assertThatThrownBy(() -> pool.call("spin", "spin"))
                                .isInstanceOf(DeadlineExceededException.class);
                        assertThat(pool.call("spin", "square", 12L)).containsExactly(144L);
                    }
                    WasmInstancePool.Stats stats = pool.stats().get("spin");
                    assertThat(stats.deadlines()).isEqualTo(3);
                    assertThat(stats.exhaustions()).isZero();
                    assertThat(stats.recycled()).isEqualTo(3); // each stopped instance was replaced
                    assertThat(stats.created()).isEqualTo(1);
                });
    }

    @Test
    void perModuleSettingsOverrideTheGlobalOnesAndShowInTheEndpoint() {
        runner().withPropertyValues(
                        "management.endpoints.web.exposure.include=wasmer",
                        "wasmer.metering.enabled=true",
                        "wasmer.metering.initial-points=1000000000000",
                        "wasmer.modules.settings.spin.call-timeout=40ms",
                        "wasmer.modules.settings.add.points=5000")
                .run(ctx -> {
                    assertThat(ctx).hasNotFailed();
                    WasmInstancePool pool = ctx.getBean(WasmInstancePool.class);
                    assertThat(pool.limits("spin"))
                            .isEqualTo(new ModuleLimits(
                                    1_000_000_000_000L,
                                    Duration.ofMillis(40),
                                    -1,
                                    Runtime.getRuntime().availableProcessors()));
                    assertThat(pool.limits("add"))
                            .as("the default deadline")
                            .isEqualTo(new ModuleLimits(
                                    5000,
                                    WasmerProperties.Limits.DEFAULT_CALL_TIMEOUT,
                                    -1,
                                    Runtime.getRuntime().availableProcessors()));
                    long t0 = System.nanoTime();
                    assertThatThrownBy(() -> pool.call("spin", "spin")).isInstanceOf(DeadlineExceededException.class);
                    assertThat((System.nanoTime() - t0) / 1_000_000).isBetween(40L, 2_000L);
                    assertThat(pool.call("add", "add", 40, 2)).containsExactly(42);
                    assertThat(pool.stats().get("add").remainingPoints())
                            .isGreaterThan(4990)
                            .isLessThan(5000);
                    WasmerEndpoint endpoint = ctx.getBean(WasmerEndpoint.class);
                    assertThat(endpoint.module("spin").limits().callTimeout()).isEqualTo(Duration.ofMillis(40));
                    assertThat(endpoint.module("add").limits().points()).isEqualTo(5000);
                    assertThat(endpoint.module("spin").pool().deadlines()).isEqualTo(1);
                });
    }

    @Test
    void perModulePointsApplyWithoutAnyDeadline() {
        runner().withPropertyValues("wasmer.metering.enabled=true", "wasmer.modules.settings.spin.points=5000")
                .run(ctx -> {
                    assertThat(ctx.getBean(Engine.class).config().metering().initialPoints())
                            .isEqualTo(10_000_000);
                    WasmInstancePool pool = ctx.getBean(WasmInstancePool.class);
                    assertThatThrownBy(() -> pool.call("spin", "spin")).isInstanceOf(MeteringExhaustedException.class);
                    assertThat(pool.stats().get("spin").consumedPoints()).isBetween(5000L, 5100L);
                });
    }

    @Test
    void aWasiModulesPooledInstancesGetTheArgsEnvAndDirectoriesOfItsSettings(@TempDir java.nio.file.Path dir) {
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(WasmerAutoConfiguration.class))
                .withPropertyValues("wasmer.modules.locations=classpath:wasi-wasm/*.wat", "wasmer.cache.enabled=false")
                .run(ctx -> {
                    WasmInstancePool pool = ctx.getBean(WasmInstancePool.class);
                    assertThat(pool.call("wasiinfo", "argc"))
                            .as("the program name only")
                            .containsExactly(1);
                    assertThat(pool.call("wasiinfo", "envc")).containsExactly(0);
                    assertThat(pool.call("wasiinfo", "firstdir"))
                            .as("BADF: no directory")
                            .containsExactly(8);
                });
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(WasmerAutoConfiguration.class))
                .withPropertyValues(
                        "wasmer.modules.locations=classpath:wasi-wasm/*.wat",
                        "wasmer.cache.enabled=false",
                        "wasmer.modules.settings.wasiinfo.wasi.args=a,b",
                        "wasmer.modules.settings.wasiinfo.wasi.env.LANG=C",
                        "wasmer.modules.settings.wasiinfo.wasi.env.MODE=test",
                        "wasmer.modules.settings.wasiinfo.wasi.dirs[/data]=" + dir)
                .run(ctx -> {
                    assertThat(ctx.getBean(WasmerProperties.class)
                                    .getModules()
                                    .getSettings()
                                    .get("wasiinfo")
                                    .getWasi()
                                    .getDirs())
                            .containsOnlyKeys("/data");
                    WasmInstancePool pool = ctx.getBean(WasmInstancePool.class);
                    assertThat(pool.call("wasiinfo", "argc")).containsExactly(3);
                    assertThat(pool.call("wasiinfo", "envc")).containsExactly(2);
                    assertThat(pool.call("wasiinfo", "firstdir"))
                            .as("a preopen")
                            .containsExactly(0);
                });
    }

    @Test
    void perModuleMaxMemoryAndPoolSizeOverTheGlobalOnes() {
        runner().withPropertyValues(
                        "management.endpoints.web.exposure.include=wasmer",
                        "wasmer.pool.size=3",
                        "wasmer.pool.borrow-timeout=100ms",
                        "wasmer.limits.max-memory=16MB",
                        "wasmer.modules.settings.counter.max-memory=128KB",
                        "wasmer.modules.settings.add.pool-size=1")
                .run(ctx -> {
                    assertThat(ctx).hasNotFailed();
                    WasmInstancePool pool = ctx.getBean(WasmInstancePool.class);
                    assertThat(pool.limits("counter").maxMemory()).isEqualTo(128 * 1024);
                    assertThat(pool.limits("spin").maxMemory()).isEqualTo(16 * 1024 * 1024);
                    assertThat(pool.limits("add").poolSize()).isEqualTo(1);
                    assertThat(pool.limits("counter").poolSize()).isEqualTo(3);
                    try (WasmInstancePool.Lease counter = pool.borrow("counter")) {
                        dev.wasmerffm.Memory memory = counter.instance().memory("memory");
                        assertThat(memory.grow(1)).isTrue(); // 2 pages = 128 KiB
                        assertThat(memory.grow(1))
                                .as("past the module's own cap")
                                .isFalse();
                    }
                    try (WasmInstancePool.Lease add = pool.borrow("add")) {
                        assertThatThrownBy(() -> pool.borrow("add"))
                                .hasMessageContaining("pool size 1")
                                .isInstanceOfSatisfying(PoolExhaustedException.class, e -> assertThat(e.fix())
                                        .contains("wasmer.modules.settings.add.pool-size"));
                    }
                    WasmModules modules = ctx.getBean(WasmModules.class);
                    assertThat(modules.get("counter").module().engine().config().maxMemoryPages())
                            .isEqualTo(2);
                    assertThat(modules.get("add").module().engine().config().maxMemoryPages())
                            .isEqualTo(256);
                    WasmerEndpoint endpoint = ctx.getBean(WasmerEndpoint.class);
                    assertThat(endpoint.module("counter").limits().maxMemory()).isEqualTo(128 * 1024);
                    assertThat(endpoint.module("add").limits().poolSize()).isEqualTo(1);
                });
    }

    @Test
    void instanceReusePolicies() {
        // counter's global counts the calls an instance served: it shows whether the instance was kept
        runner().withPropertyValues("wasmer.pool.size=1").run(ctx -> {
            WasmInstancePool pool = ctx.getBean(WasmInstancePool.class);
            assertThat(pool.call("counter", "next")).containsExactly(1);
            assertThat(pool.call("counter", "next")).as("reused by default").containsExactly(2);
        });
        runner().withPropertyValues("wasmer.pool.size=1", "wasmer.pool.instance-reuse=fresh-per-call")
                .run(ctx -> {
                    WasmInstancePool pool = ctx.getBean(WasmInstancePool.class);
                    assertThat(pool.call("counter", "next")).containsExactly(1);
                    assertThat(pool.call("counter", "next"))
                            .as("a fresh instance")
                            .containsExactly(1);
                    assertThat(pool.stats().get("counter").recycled()).isEqualTo(2);
                });
        for (var reuse : List.of("reuse", "discard-after-trap")) {
            runner().withPropertyValues(
                            "wasmer.pool.size=1",
                            "wasmer.metering.enabled=true",
                            "wasmer.metering.initial-points=10000",
                            "wasmer.pool.instance-reuse=" + reuse)
                    .run(ctx -> {
                        WasmInstancePool pool = ctx.getBean(WasmInstancePool.class);
                        assertThat(pool.call("spin", "square", 2L)).containsExactly(4L);
                        assertThatThrownBy(() -> pool.call("spin", "spin"))
                                .isInstanceOf(MeteringExhaustedException.class);
                        assertThat(pool.call("spin", "square", 3L)).containsExactly(9L);
                        assertThat(pool.stats().get("spin").recycled())
                                .as(reuse)
                                .isEqualTo(reuse.equals("reuse") ? 0 : 1);
                    });
        }
    }

    // issue 19's bugs

    @Test
    void aCustomizersMeteringIsWhatThePoolGivesBackPerCall() {
        runner().withBean(WasmerConfigCustomizer.class, () -> c -> c.metering(dev.wasmerffm.Metering.of(5000)))
                .run(ctx -> {
                    assertThat(ctx).hasNotFailed();
                    WasmInstancePool pool = ctx.getBean(WasmInstancePool.class);
                    assertThat(pool.limits("spin").points()).isEqualTo(5000);
                    pool.call("spin", "count", 100L); // ~800 points
                    assertThatThrownBy(() -> pool.call("spin", "count", 100_000L))
                            .isInstanceOf(MeteringExhaustedException.class);
                    assertThat(pool.stats().get("spin").consumedPoints()).isBetween(5000L, 6000L);
                });
    }

    @Test
    void aLocationThatMatchesNothingIsNamedInAWarning(CapturedOutput output) {
        runner().withPropertyValues("wasmer.modules.locations=classpath:nowhere/*.wasm,classpath:wasm/add.wat")
                .run(ctx -> {
                    assertThat(ctx).hasNotFailed();
                    assertThat(ctx.getBean(WasmModules.class).all())
                            .extracting(WasmModules.Entry::name)
                            .containsExactly("add");
                    assertThat(output)
                            .contains("WARN")
                            .contains("wasmer.modules.locations: " + "'classpath:nowhere/*.wasm' matches no module");
                });
    }

    @Test
    void anUnknownOperatorInMeteringCostsFailsStartupNamingTheProperty() {
        runner().withPropertyValues("wasmer.metering.enabled=true", "wasmer.metering.costs.Cal=1000000")
                .run(ctx -> {
                    assertThat(ctx).hasFailed();
                    assertThat(ctx.getStartupFailure())
                            .rootCause()
                            .hasMessageContaining("wasmer.metering.costs.Cal")
                            .hasMessageContaining("no operator named 'Cal'");
                });
    }

    static Stream<Arguments> aRefusedValueFailsStartupNamingTheProperty() {
        String add = "wasmer.modules.settings.add.";
        return Stream.of(
                Arguments.of("wasmer.metering.initial-points=-5", "initial points must be >= 0, got -5"),
                Arguments.of("wasmer.metering.costs.Call=-1", "negative cost -1 for operator Call"),
                Arguments.of("wasmer.limits.max-memory=1KB", "must be at least 64KB, one WebAssembly page"),
                Arguments.of("wasmer.limits.max-memory=-1MB", "must be at least 64KB, one WebAssembly page"),
                Arguments.of("wasmer.limits.max-table-elements=-1", "maxTableElements must be >= 0, got -1"),
                Arguments.of("wasmer.limits.call-timeout=-1s", "callTimeout must be >= 0, got PT-1S"),
                Arguments.of("wasmer.pool.size=0", "poolSize must be >= 1, got 0"),
                Arguments.of("wasmer.pool.max-calls=0", "maxCalls must be >= 1, got 0"),
                Arguments.of("wasmer.pool.borrow-timeout=-1s", "must not be negative"),
                Arguments.of("wasmer.store.max-instances=0", "maxInstances must be at least 1, got 0"),
                Arguments.of("wasmer.tracing.verbosity=-1", "verbosity must be >= 0, got -1"),
                Arguments.of("wasmer.tracing.verbosity=5", "must be 0 (off) to 4 (trace)"),
                Arguments.of("wasmer.cache.max-size=-1MB", "maxDiskBytes must be >= 0, got -1048576"),
                Arguments.of("wasmer.cache.key=short", "an artifact key needs at least 32 bytes, got 5"),
                Arguments.of("wasmer.cache.shared.key=short", "an artifact key needs at least 32 bytes, got 5"),
                Arguments.of(add + "points=-1", "points must be >= 0, got -1"),
                Arguments.of(add + "call-timeout=-1s", "callTimeout must be >= 0, got PT-1S"),
                Arguments.of(add + "max-memory=1KB", "must be at least 64KB, one WebAssembly page"),
                Arguments.of(add + "pool-size=0", "poolSize must be >= 1, got 0"),
                Arguments.of("wasmer.modules.settings.not-loaded.pool-size=0", "poolSize must be >= 1, got 0"),
                Arguments.of(
                        "wasmer.modules.settings.add2.points=5", "no module named 'add2' was loaded; modules: [add]"),
                Arguments.of(
                        "wasmer.modules.settings.add.wasi.dirs[/data]=/nonexistent-wasmer-dir",
                        "no such directory on this host"));
    }

    /**
     * Also where the setting a value belongs to is off, or names a module that is not loaded; settings no module can
     * use (an unknown module name, a WASI dir that does not exist) fail too, named as set so the report has the origin.
     */
    @ParameterizedTest
    @MethodSource
    void aRefusedValueFailsStartupNamingTheProperty(String setting, String reason) {
        String property = setting.substring(0, setting.indexOf('='));
        runner().withPropertyValues(setting, "wasmer.modules.locations=classpath:wasm/add.wat")
                .run(ctx -> {
                    assertThat(ctx).hasFailed();
                    assertThat(ctx.getStartupFailure())
                            .rootCause()
                            .isInstanceOfSatisfying(InvalidConfigurationPropertyValueException.class, e -> {
                                assertThat(e.getName()).isEqualTo(property);
                                assertThat(e.getReason()).contains(reason);
                            });
                });
    }

    @Test
    void aSharedCacheWithoutItsKeyFailsStartupNamingTheKey() {
        runner().withPropertyValues("wasmer.cache.shared.enabled=true").run(ctx -> assertThat(ctx.getStartupFailure())
                .rootCause()
                .isInstanceOfSatisfying(InvalidConfigurationPropertyValueException.class, e -> {
                    assertThat(e.getName()).isEqualTo("wasmer.cache.shared.key");
                    assertThat(e.getReason()).startsWith("is required when wasmer.cache.shared.enabled=true");
                }));
    }
}
