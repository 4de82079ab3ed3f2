package dev.wasmerffm.spring.boot.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wasmerffm.HostCall;
import dev.wasmerffm.MeteringExhaustedException;
import dev.wasmerffm.TrapException;
import dev.wasmerffm.WasmerException;
import dev.wasmerffm.pool.ModuleInUseException;
import dev.wasmerffm.pool.UnknownModuleException;
import dev.wasmerffm.pool.WasmInstancePool;
import dev.wasmerffm.pool.WasmModules;
import dev.wasmerffm.spring.boot.annotation.WasmHostFunction;
import dev.wasmerffm.spring.boot.autoconfigure.WasmerAutoConfiguration;
import dev.wasmerffm.spring.boot.autoconfigure.health.WasmerHealthContributorAutoConfiguration;
import dev.wasmerffm.spring.boot.health.WasmerHealthIndicator;
import dev.wasmerffm.spring.boot.testplugins.missing.MissingExport;
import dev.wasmerffm.spring.boot.testplugins.text.TextPlugin;
import dev.wasmerffm.spring.boot.testplugins.wrong.WrongPlugin;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.springframework.aot.generate.ClassNameGenerator;
import org.springframework.aot.generate.DefaultGenerationContext;
import org.springframework.aot.generate.GeneratedFiles;
import org.springframework.aot.generate.InMemoryGeneratedFiles;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.AutoConfigurationPackage;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.util.TestPropertyValues;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.aot.ApplicationContextAotGenerator;
import org.springframework.core.NestedExceptionUtils;
import org.springframework.javapoet.ClassName;

/** {@code @WasmModule} interfaces and {@code @WasmHostFunction} bean methods, on a real module with two imports. */
public class ModuleInterfacesAndHostFunctionsTests {

    /** The host side: two bean methods the text module imports. */
    static class Host {
        final List<String> logged = new CopyOnWriteArrayList<>();

        @WasmHostFunction(name = "twice")
        int doubled(int x) {
            if (x < 0) {
                throw new IllegalArgumentException("negative: " + x);
            }
            return 2 * x;
        }

        @WasmHostFunction(module = "env")
        void log(HostCall call, int ptr, int len) {
            logged.add(new String(call.memory().read(ptr, len), StandardCharsets.UTF_8));
        }
    }

    /** A host whose {@code twice} returns i64 where the module imports i32. */
    public static class WrongHost {
        @WasmHostFunction
        long twice(int x) {
            return x;
        }

        @WasmHostFunction
        void log(int ptr, int len) {}
    }

    @Configuration(proxyBeanMethods = false)
    @AutoConfigurationPackage(basePackageClasses = TextPlugin.class)
    public static class App {
        @Bean
        Host host() {
            return new Host();
        }
    }

    @Configuration(proxyBeanMethods = false)
    @AutoConfigurationPackage(basePackageClasses = WrongPlugin.class)
    public static class WrongApp {
        @Bean
        Host host() {
            return new Host();
        }
    }

    final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(WasmerAutoConfiguration.class))
            .withPropertyValues(
                    "wasmer.cache.enabled=false",
                    "wasmer.modules.locations=classpath:host-wasm/*.wat",
                    "wasmer.pool.size=4");

    /** The message of what failed startup, however deeply Spring wrapped it. */
    static String failure(AssertableApplicationContext ctx) {
        return NestedExceptionUtils.getMostSpecificCause(ctx.getStartupFailure())
                .getMessage();
    }

    @Test
    void anInterfaceCallsTheModuleWhichCallsBeanMethods() {
        runner.withUserConfiguration(App.class).run(ctx -> {
            TextPlugin text = ctx.getBean(TextPlugin.class);
            Host host = ctx.getBean(Host.class);
            assertThat(text.shout("héllo, wasm")).isEqualTo("HéLLO, WASM");
            assertThat(host.logged).containsExactly("héllo, wasm");
            assertThat(text.shoutBytes(new byte[] {'a', 0, 'z'})).containsExactly('A', 0, 'Z');
            assertThat(StandardCharsets.UTF_8
                            .decode(text.shoutBuffer(ByteBuffer.wrap("buf".getBytes())))
                            .toString())
                    .isEqualTo("BUF");
            assertThat(text.shout("")).isEmpty();
            assertThat(text.shoutTwice("ok")).isEqualTo("OK!");
            assertThat(text.quadruple(5)).isEqualTo(20);
            assertThat(text.depth()).as("every allocation was freed").isEqualTo(1024);
            assertThat(text).hasToString("TextPlugin(wasm module 'text')");
            assertThatThrownBy(() -> text.quadruple(-1))
                    .isInstanceOf(TrapException.class)
                    .cause()
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("negative: -1");
            assertThatThrownBy(() -> text.shout(null))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("TextPlugin.shout(String): argument 0 is null");
            assertThat(text.quadruple(6))
                    .as("the pool's instance still works after the trap")
                    .isEqualTo(24);
            assertThatThrownBy(() -> text.broken("x"))
                    .isInstanceOf(WasmerException.class)
                    .hasMessage(
                            "text.broken gave ptr 2147418112, len 16, outside its 65536-byte memory (see @WasmModule's byte"
                                    + " convention)");
            assertThat(text.depth()).as("the argument was freed all the same").isEqualTo(1024);
            try (ExecutorService threads = Executors.newFixedThreadPool(4)) {
                List<Future<Boolean>> ok = new java.util.ArrayList<>();
                for (int t = 0; t < 4; t++) {
                    String word = "thread" + t;
                    ok.add(threads.submit(() -> {
                        for (int i = 0; i < 500; i++) {
                            if (!text.shout(word + i).equals((word + i).toUpperCase())) {
                                return false;
                            }
                        }
                        return true;
                    }));
                }
                for (Future<Boolean> f : ok) {
                    assertThat(f.get()).isTrue();
                }
            }
            assertThat(host.logged).hasSize(6 + 4 * 500);
            WasmModules modules = ctx.getBean(WasmModules.class);
            WasmInstancePool pool = ctx.getBean(WasmInstancePool.class);
            assertThatThrownBy(() -> WasmModuleInterfaces.create(MissingExport.class, modules, pool))
                    .hasMessageContaining("MissingExport.triple(int): module 'text' exports no function 'triple'")
                    .hasMessageContaining("alloc, dealloc, depth, quadruple, shout, broken");
        });
    }

    @Test
    void theCallsOwnTrapIsNeverMaskedByFreeingItsArguments() {
        runner.withUserConfiguration(App.class)
                .withPropertyValues("wasmer.metering.enabled=true", "wasmer.metering.initial-points=100000")
                .run(ctx -> {
                    TextPlugin text = ctx.getBean(TextPlugin.class);
                    // shout runs out of points on 30 KB; dealloc then finds no points either
                    assertThatThrownBy(() -> text.shout("x".repeat(30_000)))
                            .isInstanceOf(MeteringExhaustedException.class)
                            .hasMessageContaining("Func[shout]")
                            .satisfies(e -> assertThat(e.getSuppressed())
                                    .singleElement()
                                    .satisfies(s -> assertThat(s).hasMessageContaining("Func[dealloc]")));
                    assertThat(text.shout("ok")).isEqualTo("OK");
                });
    }

    @Test
    void aModuleBoundToAnInterfaceIsRemovedOnlyAfterTheBindingAndHealthThenSaysDown() {
        runner.withUserConfiguration(App.class)
                .withConfiguration(AutoConfigurations.of(WasmerHealthContributorAutoConfiguration.class))
                .run(ctx -> {
                    WasmModules modules = ctx.getBean(WasmModules.class);
                    TextPlugin text = ctx.getBean(TextPlugin.class);
                    WasmerHealthIndicator health = ctx.getBean(WasmerHealthIndicator.class);
                    assertThatThrownBy(() -> modules.remove("text"))
                            .isInstanceOf(ModuleInUseException.class)
                            .hasMessage("module 'text' cannot be removed: [@WasmModule interface "
                                    + TextPlugin.class.getName() + "] use it");
                    assertThat(text.quadruple(2))
                            .as("the refused removal changed nothing")
                            .isEqualTo(8);
                    assertThat(health.health(true).getStatus()).isEqualTo(Status.UP);
                    WasmModuleInterfaces.unbind(text);
                    assertThat(modules.remove("text")).isTrue();
                    assertThatThrownBy(() -> text.quadruple(2)).isInstanceOf(UnknownModuleException.class);
                    var down = health.health(true);
                    assertThat(down.getStatus()).isEqualTo(Status.DOWN);
                    assertThat(down.getDetails())
                            .containsEntry(
                                    "interfaces",
                                    java.util.Map.of(TextPlugin.class.getName(), "module 'text' is not registered"));
                    assertThatThrownBy(() -> WasmModuleInterfaces.unbind("not a proxy"))
                            .isInstanceOf(IllegalArgumentException.class);
                });
    }

    @Test
    void aMethodThatDoesNotMatchItsExportFailsStartup() {
        runner.withUserConfiguration(WrongApp.class).run(ctx -> assertThat(failure(ctx))
                .isEqualTo(
                        "WrongPlugin.quadruple(int) does not match export text.quadruple: the method needs (i32) -> (i64), "
                                + "the module has (i32) -> (i32)"));
    }

    @Test
    void aHostFunctionThatDoesNotMatchItsImportFailsStartup() {
        runner.withBean(WrongHost.class).run(ctx -> assertThat(failure(ctx))
                .contains("@WasmHostFunction WrongHost.twice(int) of bean")
                .contains("does not match import env.twice of module 'text': the method has (i32) -> (i64),"
                        + " the module needs (i32) -> (i32)"));
    }

    @Test
    void anImportNoBeanProvidesFailsStartup() {
        runner.run(
                ctx -> assertThat(failure(ctx))
                        .contains(
                                "module 'text' imports env.twice: (i32) -> (i32), which no @WasmHostFunction bean method provides"));
    }

    @Test
    void twoBeansForOneImportFailStartup() {
        runner.withUserConfiguration(App.class).withBean("another", Host.class).run(ctx -> assertThat(failure(ctx))
                .contains("two host functions for import env."));
    }

    /** Host functions for two imports whose names joined with a dot would be one. */
    static class Dotted {
        @WasmHostFunction(module = "a.b", name = "c")
        int first() {
            return 1;
        }

        @WasmHostFunction(module = "a", name = "b.c")
        int second() {
            return 2;
        }
    }

    @Test
    void importNamesAreTwoLevelNeverJoined() {
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(WasmerAutoConfiguration.class))
                .withPropertyValues(
                        "wasmer.cache.enabled=false", "wasmer.modules.locations=classpath:dotted-wasm/*.wat")
                .withBean(Dotted.class)
                .run(ctx -> {
                    WasmInstancePool pool = ctx.getBean(WasmInstancePool.class);
                    assertThat(pool.call("dotted", "x")).containsExactly(1);
                    assertThat(pool.call("dotted", "y")).containsExactly(2);
                });
    }

    @Configuration(proxyBeanMethods = false)
    @ImportAutoConfiguration(WasmerAutoConfiguration.class)
    public static class BootApp extends App {}

    static final String[] PROPERTIES = {
        "wasmer.cache.enabled=false", "wasmer.modules.locations=classpath:host-wasm/*.wat"
    };

    @Test
    void lazyInitializationStillFindsTheHostFunctionBeans() {
        try (ConfigurableApplicationContext ctx = new SpringApplicationBuilder(BootApp.class)
                .web(WebApplicationType.NONE)
                .lazyInitialization(true)
                .properties(PROPERTIES)
                .run()) {
            assertThat(ctx.getBean(TextPlugin.class).quadruple(5)).isEqualTo(20);
        }
    }

    @Test
    void aheadOfTimeProcessingGeneratesTheModuleInterfaceBeans() {
        try (AnnotationConfigApplicationContext ctx = new AnnotationConfigApplicationContext()) {
            TestPropertyValues.of(PROPERTIES).applyTo(ctx);
            ctx.register(BootApp.class);
            InMemoryGeneratedFiles files = new InMemoryGeneratedFiles();
            DefaultGenerationContext generation =
                    new DefaultGenerationContext(new ClassNameGenerator(ClassName.get(BootApp.class)), files);
            new ApplicationContextAotGenerator().processAheadOfTime(ctx, generation);
            generation.writeGeneratedContent();
            assertThat(files.getGeneratedFiles(GeneratedFiles.Kind.SOURCE).values())
                    .anySatisfy(source -> assertThat(source.getInputStream())
                            .asString(StandardCharsets.UTF_8)
                            .contains("getTextPluginInstanceSupplier")
                            .contains(
                                    "WasmModuleInterfaces.create(args.get(0), args.get(1), args.get(2), args.get(3))"));
        }
    }
}
