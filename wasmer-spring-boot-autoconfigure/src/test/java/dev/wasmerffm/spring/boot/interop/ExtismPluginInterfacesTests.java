package dev.wasmerffm.spring.boot.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.net.httpserver.HttpServer;
import dev.wasmerffm.DeadlineExceededException;
import dev.wasmerffm.MeteringExhaustedException;
import dev.wasmerffm.TrapException;
import dev.wasmerffm.extism.PluginException;
import dev.wasmerffm.pool.WasmInstancePool;
import dev.wasmerffm.pool.WasmModules;
import dev.wasmerffm.spring.boot.annotation.WasmHostFunction;
import dev.wasmerffm.spring.boot.autoconfigure.WasmerAutoConfiguration;
import dev.wasmerffm.spring.boot.testplugins.extism.GoPlugin;
import dev.wasmerffm.spring.boot.testplugins.extism.PdkPlugin;
import dev.wasmerffm.spring.boot.testplugins.extism.PdkPlugin.Count;
import dev.wasmerffm.spring.boot.testplugins.extism.PdkPlugin.Greeting;
import dev.wasmerffm.spring.boot.testplugins.extism.PdkPlugin.Reply;
import dev.wasmerffm.spring.boot.testplugins.extism.RustPlugin;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.AutoConfigurationPackage;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The Go and Rust PDK test plugins (wasmer-ffm/src/test/extism, built from source by
 * tools/build-extism-plugins.sh) through {@code @WasmModule} interfaces with JSON records: config, vars, errors, a
 * bean's {@code extism:host/user} function, allowed and denied HTTP and paths, deadlines and points, all from
 * {@code wasmer.modules.settings.<name>.*}, on the starter's pool.
 */
class ExtismPluginInterfacesTests {

    @TempDir
    static Path dir;

    static HttpServer server;

    /** The host function both plugins import as {@code extism:host/user shout}: text in, text out. */
    static class Shouter {
        @WasmHostFunction(module = "extism:host/user")
        String shout(String text) {
            return text.toUpperCase(Locale.ROOT) + "!";
        }
    }

    @Configuration(proxyBeanMethods = false)
    @AutoConfigurationPackage(basePackageClasses = PdkPlugin.class)
    static class App {
        @Bean
        Shouter shouter() {
            return new Shouter();
        }
    }

    @BeforeAll
    static void serve() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/hello", ex -> {
            byte[] body = "hello from the host".getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        server.start();
        Files.writeString(dir.resolve("note.txt"), "a file under an allowed path");
    }

    @AfterAll
    static void stop() {
        server.stop(0);
        if (ctx != null) {
            ctx.close();
        }
    }

    static String url(String host) {
        return "http://" + host + ":" + server.getAddress().getPort() + "/hello";
    }

    /** Both plugins, or the test is skipped saying why (the build skips them without Go or the Rust target). */
    static void requirePlugins() {
        for (String name : List.of("go-plugin", "rust-plugin")) {
            assumeTrue(
                    Files.isRegularFile(Path.of("target/test-classes/extism", name + ".wasm")),
                    name + ".wasm was not built: tools/build-extism-plugins.sh skips it where Go, cargo or the"
                            + " Rust target wasm32-unknown-unknown is missing (see the build log)");
        }
    }

    /** Modules compiled once for all the contexts here (the Go plugin takes seconds). */
    static final String CACHE = "wasmer.cache.directory=target/extism-module-cache";

    static final String[] SETTINGS = {
        CACHE,
        "wasmer.modules.locations=classpath:extism/*-plugin.wasm",
        "wasmer.pool.size=1",
        "wasmer.modules.settings.go-plugin.plugin.config.vowels=aeiouy",
        "wasmer.modules.settings.go-plugin.plugin.allowed-hosts=127.0.0.1",
        "wasmer.modules.settings.go-plugin.call-timeout=2s",
        "wasmer.modules.settings.rust-plugin.plugin.config.vowels=o",
        "wasmer.modules.settings.rust-plugin.plugin.allowed-hosts=127.0.0.1",
        "wasmer.modules.settings.rust-plugin.call-timeout=2s"
    };

    /** One application for the tests that call plugins: each plugin is compiled once. */
    static ConfigurableApplicationContext ctx;

    @Configuration(proxyBeanMethods = false)
    @ImportAutoConfiguration({WasmerAutoConfiguration.class, JacksonAutoConfiguration.class})
    static class BootApp extends App {}

    static ConfigurableApplicationContext context() {
        requirePlugins();
        if (ctx == null) {
            ctx = new SpringApplicationBuilder(BootApp.class)
                    .web(WebApplicationType.NONE)
                    .properties(SETTINGS)
                    .properties("wasmer.modules.settings.go-plugin.plugin.allowed-paths[/data]=" + dir)
                    .run();
        }
        return ctx;
    }

    final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(WasmerAutoConfiguration.class, JacksonAutoConfiguration.class))
            .withUserConfiguration(App.class)
            .withPropertyValues(SETTINGS);

    static PdkPlugin plugin(String name) {
        return name.equals("go") ? context().getBean(GoPlugin.class) : context().getBean(RustPlugin.class);
    }

    static WasmInstancePool pool() {
        return context().getBean(WasmInstancePool.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"go", "rust"})
    void jsonRecordsGoInAndComeOut(String name) {
        assertThat(plugin(name).greet(new Greeting("Ada", 36))).isEqualTo(new Reply("Hello, Ada!", 37));
    }

    @Test
    void configComesFromTheModuleSettingsAndVarsPersistOnThePooledPlugin() {
        Count go = plugin("go").countVowels("Hello, yellow world");
        assertThat(go.count()).isEqualTo(6);
        assertThat(go.vowels()).isEqualTo("aeiouy");
        assertThat(plugin("go").countVowels("sky")).isEqualTo(new Count(1, go.total() + 1, "aeiouy"));
        Count rust = plugin("rust").countVowels("Hello, world");
        assertThat(rust.count()).isEqualTo(2);
        assertThat(rust.vowels()).isEqualTo("o");
        assertThat(plugin("rust").countVowels("foo")).isEqualTo(new Count(2, rust.total() + 2, "o"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"go", "rust"})
    void bytesPassUnchangedAndTextIsUtf8(String name) {
        byte[] all = new byte[256];
        for (int i = 0; i < all.length; i++) {
            all[i] = (byte) i;
        }
        assertThat(plugin(name).echo(all)).isEqualTo(all);
        assertThat(plugin(name).echo(new byte[0])).isEmpty();
        assertThat(new String(
                        pool().call(name + "-plugin", "echo", "héllo".getBytes(StandardCharsets.UTF_8)),
                        StandardCharsets.UTF_8))
                .as("the pool's bytes call")
                .isEqualTo("héllo");
    }

    @ParameterizedTest
    @ValueSource(strings = {"go", "rust"})
    void aPluginErrorIsAPluginExceptionWithItsMessageAndThePluginIsKept(String name) {
        PdkPlugin p = plugin(name);
        int total = p.countVowels("o").total();
        assertThatThrownBy(() -> p.fail("no reason")).isInstanceOfSatisfying(PluginException.class, e -> {
            assertThat(e.pluginMessage()).isEqualTo("refused: no reason");
            assertThat(e.returnCode()).isEqualTo(1);
            assertThat(e.function()).isEqualTo("fail");
        });
        assertThat(p.countVowels("o").total())
                .as("a plugin error is no trap: the pooled plugin and its vars stay")
                .isEqualTo(total + 1);
    }

    @ParameterizedTest
    @ValueSource(strings = {"go", "rust"})
    void aBeanMethodIsTheExtismUserHostFunction(String name) {
        assertThat(plugin(name).callHost("héllo")).isEqualTo("HÉLLO!");
    }

    @ParameterizedTest
    @ValueSource(strings = {"go", "rust"})
    void anAllowedHostIsReachedAndAnotherIsRefused(String name) {
        PdkPlugin p = plugin(name);
        assertThat(p.httpGet(url("127.0.0.1"))).isEqualTo("200 hello from the host");
        assertThatThrownBy(() -> p.httpGet(url("localhost")))
                .isInstanceOf(TrapException.class)
                .cause()
                .isInstanceOf(PluginException.class)
                .hasMessageContaining("is not allowed");
    }

    @Test
    void aPluginWithoutAllowedHostsIsRefusedEveryRequest() {
        requirePlugins();
        runner.withPropertyValues("wasmer.modules.settings.rust-plugin.plugin.allowed-hosts=")
                .run(ctx -> assertThatThrownBy(
                                () -> ctx.getBean(RustPlugin.class).httpGet(url("127.0.0.1")))
                        .isInstanceOf(TrapException.class)
                        .cause()
                        .hasMessageContaining("is not allowed"));
    }

    @Test
    void theGoPluginReadsUnderItsAllowedPathOnly() {
        GoPlugin go = context().getBean(GoPlugin.class);
        assertThat(go.readFile("/data/note.txt")).isEqualTo("a file under an allowed path");
        assertThatThrownBy(() -> go.readFile("/etc/hostname")).isInstanceOf(PluginException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"go", "rust"})
    void anEndlessLoopStopsAtTheModulesDeadlineAndThePoolCountsIt(String name) {
        PdkPlugin p = plugin(name);
        p.echo(new byte[1]); // the pool has stats for the module from its first call
        long before = pool().stats().get(name + "-plugin").deadlines();
        long t0 = System.nanoTime();
        assertThatThrownBy(p::spin).isInstanceOf(DeadlineExceededException.class);
        assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(5_000);
        assertThat(pool().stats().get(name + "-plugin").deadlines()).isEqualTo(before + 1);
        assertThat(p.greet(new Greeting("again", 1)).message())
                .as("a fresh plugin serves the next call")
                .isEqualTo("Hello, again!");
    }

    @Test
    void anEndlessLoopRunsOutOfTheModulesPoints() {
        requirePlugins();
        runner.withPropertyValues(
                        "wasmer.metering.enabled=true",
                        "wasmer.metering.initial-points=500000000",
                        "wasmer.modules.settings.go-plugin.call-timeout=0s",
                        "wasmer.modules.settings.rust-plugin.call-timeout=0s",
                        "wasmer.modules.settings.go-plugin.points=20000000",
                        "wasmer.modules.settings.rust-plugin.points=20000000")
                .run(ctx -> {
                    for (PdkPlugin p : List.of(ctx.getBean(GoPlugin.class), ctx.getBean(RustPlugin.class))) {
                        assertThatThrownBy(p::spin).isInstanceOf(MeteringExhaustedException.class);
                        assertThat(p.greet(new Greeting("Bo", 2))).isEqualTo(new Reply("Hello, Bo!", 3));
                    }
                    WasmInstancePool.Stats go =
                            ctx.getBean(WasmInstancePool.class).stats().get("go-plugin");
                    assertThat(go.exhaustions()).isEqualTo(1);
                    assertThat(ctx.getBean(WasmInstancePool.class)
                                    .stats()
                                    .get("rust-plugin")
                                    .exhaustions())
                            .isEqualTo(1);
                });
    }

    @Test
    void aPluginRegisteredAtRuntimeIsPooledWithItsSettings() throws IOException {
        requirePlugins();
        byte[] wasm = Files.readAllBytes(Path.of("target/test-classes/extism/rust-plugin.wasm"));
        context().getBean(WasmModules.class).register("late", wasm);
        assertThat(new String(
                        pool().call("late", "greet_json", "{\"name\":\"Late\",\"age\":1}".getBytes()),
                        StandardCharsets.UTF_8))
                .isEqualTo("{\"message\":\"Hello, Late!\",\"nextAge\":2}");
    }

    @Test
    void aPluginImportingAUserFunctionNoBeanProvidesFailsStartupNamingIt() {
        requirePlugins();
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(WasmerAutoConfiguration.class))
                .withPropertyValues(CACHE, "wasmer.modules.locations=classpath:extism/rust-plugin.wasm")
                .run(ctx -> assertThat(ModuleInterfacesAndHostFunctionsTests.failure(ctx))
                        .contains("extism:host/user")
                        .contains("shout")
                        .contains("no @WasmHostFunction bean method provides"));
    }

    @Test
    void aPayloadHostFunctionImportedByAModuleThatIsNoPluginFailsStartup() throws IOException {
        Path wat = dir.resolve("notplugin.wat");
        Files.writeString(wat, """
                (module (import "extism:host/user" "shout" (func (param i64) (result i64))))
                """);
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(WasmerAutoConfiguration.class))
                .withBean(Shouter.class)
                .withPropertyValues("wasmer.cache.enabled=false", "wasmer.modules.locations=" + wat.toUri())
                .run(ctx -> assertThat(ModuleInterfacesAndHostFunctionsTests.failure(ctx))
                        .contains("module 'notplugin', which imports it, is no Extism plugin"));
    }

    @Test
    void aMissingAllowedPathFailsStartupNamingTheProperty() {
        requirePlugins();
        runner.withPropertyValues(
                        "wasmer.modules.settings.rust-plugin.plugin.allowed-paths[/data]=" + dir.resolve("no"))
                .run(ctx -> assertThat(ModuleInterfacesAndHostFunctionsTests.failure(ctx))
                        .contains("wasmer.modules.settings.rust-plugin.plugin.allowed-paths[/data]")
                        .contains("no such directory on this host"));
    }

    @Test
    void aJsonTypeWithoutAJsonMapperFailsTheBindingNamingTheMethod() {
        requirePlugins();
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(WasmerAutoConfiguration.class))
                .withUserConfiguration(App.class)
                .withClassLoader(new org.springframework.boot.test.context.FilteredClassLoader("tools.jackson"))
                .withPropertyValues(CACHE, "wasmer.modules.locations=classpath:extism/*-plugin.wasm")
                .run(ctx -> assertThat(ModuleInterfacesAndHostFunctionsTests.failure(ctx))
                        .contains("PdkPlugin.")
                        .contains("as JSON")
                        .contains("add Jackson"));
    }
}
