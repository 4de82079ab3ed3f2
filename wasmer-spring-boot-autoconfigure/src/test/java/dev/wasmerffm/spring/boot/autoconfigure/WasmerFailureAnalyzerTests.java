package dev.wasmerffm.spring.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wasmerffm.spring.boot.interop.ModuleInterfacesAndHostFunctionsTests;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/**
 * Each predictable startup failure yields Spring Boot's short report: a description naming the module or property
 * and an action saying what to change. Real applications start and fail; the report is read from their log.
 */
@ExtendWith(OutputCaptureExtension.class)
class WasmerFailureAnalyzerTests {

    @TempDir
    static Path tmp;

    static final Class<?>[] PLAIN = {WasmerIntegrationTests.App.class};
    static final String HOST_WASM = "wasmer.modules.locations=classpath:host-wasm/*.wat";

    static Arguments failure(Class<?>[] sources, String property, String description, String action) {
        return Arguments.of(sources, property, description, action);
    }

    static Stream<Arguments> failures() throws IOException {
        Path file = Files.writeString(tmp.resolve("a-file"), "");
        return Stream.of(
                failure(
                        PLAIN,
                        "wasmer.modules.locations=classpath:bad/notwasm.wasm",
                        "WebAssembly module 'notwasm' (file:",
                        "not a WebAssembly binary"),
                failure(
                        PLAIN,
                        "wasmer.modules.locations=classpath:bad/syntax.wat",
                        "WebAssembly module 'syntax' (file:",
                        "Correct the WebAssembly text at the line and column"),
                failure(
                        PLAIN,
                        "wasmer.modules.locations=classpath:bad/invalid.wasm",
                        "WebAssembly module 'invalid' (file:",
                        "The module is not valid for this engine"),
                failure(
                        PLAIN,
                        "wasmer.modules.locations=classpath:bad/big.wat,wasmer.limits.max-memory=64KB",
                        "memory 0 needs at least 10 pages, above the limit of 1 pages",
                        "Raise wasmer.limits.max-memory"),
                failure(
                        PLAIN,
                        "wasmer.metering.initial-points=-5",
                        "Invalid value '-5' for configuration property 'wasmer.metering.initial-points'",
                        "initial points must be >= 0, got -5"),
                failure(
                        PLAIN,
                        "wasmer.metering.costs.Call=-1",
                        "configuration property 'wasmer.metering.costs.Call'",
                        "negative cost -1 for operator Call"),
                failure(
                        PLAIN,
                        "wasmer.limits.max-memory=-1MB",
                        "configuration property 'wasmer.limits.max-memory'",
                        "must be at least 64KB, one WebAssembly page"),
                failure(
                        PLAIN,
                        "wasmer.limits.max-memory=1KB",
                        "Invalid value '1KB' for configuration property 'wasmer.limits.max-memory'",
                        "must be at least 64KB, one WebAssembly page"),
                failure(
                        PLAIN,
                        "wasmer.pool.size=0",
                        "Invalid value '0' for configuration property 'wasmer.pool.size'",
                        "poolSize must be >= 1, got 0"),
                failure(
                        PLAIN,
                        "wasmer.modules.settings.add.pool-size=0",
                        "configuration property 'wasmer.modules.settings.add.pool-size'",
                        "poolSize must be >= 1, got 0"),
                failure(
                        PLAIN,
                        "wasmer.cache.key=short",
                        "configuration property 'wasmer.cache.key'",
                        "an artifact key needs at least 32 bytes, got 5"),
                failure(
                        PLAIN,
                        "wasmer.metering.enabled=true,wasmer.metering.costs.Cal=1000000",
                        "wasmer.metering.costs.Cal",
                        "no operator named 'Cal'"),
                failure(
                        PLAIN,
                        "wasmer.cache.enabled=true,wasmer.cache.directory=" + file.resolve("cache"),
                        "cannot be created or read",
                        "wasmer.cache.directory"),
                failure(
                        PLAIN,
                        HOST_WASM,
                        "module 'text' imports env.twice: (i32) -> (i32), which no "
                                + "@WasmHostFunction bean method provides",
                        "Add a bean method @WasmHostFunction(module = \"env\", name = \"twice\") of type (i32) -> (i32)"),
                failure(
                        new Class<?>[] {
                            WasmerIntegrationTests.App.class, ModuleInterfacesAndHostFunctionsTests.WrongHost.class
                        },
                        HOST_WASM,
                        "WrongHost.twice(int) of bean",
                        "Change WrongHost.twice(int) to (i32) -> (i32)"),
                failure(
                        new Class<?>[] {
                            WasmerIntegrationTests.App.class, ModuleInterfacesAndHostFunctionsTests.WrongApp.class
                        },
                        HOST_WASM,
                        "WrongPlugin.quadruple(int) does not match export text.quadruple",
                        "Change WrongPlugin.quadruple(int) to (i32) -> (i32)"),
                failure(
                        new Class<?>[] {ModuleInterfacesAndHostFunctionsTests.BootApp.class},
                        "wasmer.modules.locations=classpath:nowhere/*.wat",
                        "no WebAssembly module named 'text'",
                        "Add text.wasm or text.wat at one of wasmer.modules.locations [classpath:nowhere/*.wat]"));
    }

    @ParameterizedTest
    @MethodSource("failures")
    void aStartupFailureIsReportedInAFewLinesWithWhatToChange(
            Class<?>[] sources, String properties, String description, String action, CapturedOutput output) {
        List<String> all = new ArrayList<>(List.of("wasmer.cache.enabled=false", "spring.main.banner-mode=off"));
        all.addAll(List.of(properties.split(",")));
        assertThatThrownBy(() -> new SpringApplicationBuilder(sources)
                        .web(WebApplicationType.NONE)
                        .properties(all.toArray(String[]::new))
                        .run())
                .isNotNull();
        String log = output.getAll();
        assertThat(log).contains("APPLICATION FAILED TO START");
        String report = log.substring(log.lastIndexOf("APPLICATION FAILED TO START"));
        assertThat(report).contains("Description:", "Action:");
        String described = report.substring(report.indexOf("Description:"), report.indexOf("Action:"));
        String acted = report.substring(report.indexOf("Action:"));
        assertThat(described).contains(description);
        assertThat(described + acted).contains(action);
        assertThat(report.strip().lines()).as(report).hasSizeLessThanOrEqualTo(16);
    }

    static Stream<Arguments> commandLineArguments() {
        return Stream.of(
                Arguments.of("--wasmer.pool.size=0", "'0'", "poolSize must be >= 1, got 0"),
                Arguments.of("--wasmer.limits.max-memory=-1MB", "'-1MB'", "must be at least 64KB"),
                Arguments.of("--wasmer.limits.call-timeout=-1s", "'-1s'", "callTimeout must be >= 0"),
                Arguments.of("--wasmer.modules.settings.add2.points=5", "'5'", "no module named 'add2' was loaded"));
    }

    /** A refused value set on the command line: shown as written, with the argument as its origin. */
    @ParameterizedTest
    @MethodSource
    void commandLineArguments(String argument, String asWritten, String reason, CapturedOutput output) {
        assertThatThrownBy(() -> new SpringApplicationBuilder(PLAIN)
                        .web(WebApplicationType.NONE)
                        .properties("wasmer.cache.enabled=false", "spring.main.banner-mode=off")
                        .run(argument, "--wasmer.modules.locations=classpath:wasm/add.wat"))
                .isNotNull();
        String log = output.getAll();
        String report = log.substring(log.lastIndexOf("APPLICATION FAILED TO START"));
        String property = argument.substring(2, argument.indexOf('='));
        assertThat(report)
                .contains(
                        "Invalid value " + asWritten + " for configuration property '" + property + "'",
                        "Origin: command line argument '" + argument + "'",
                        reason);
    }

    /** The child JVM's application. */
    public static final class MissingLibraryApp {
        public static void main(String[] args) {
            new SpringApplicationBuilder(WasmerIntegrationTests.App.class)
                    .web(WebApplicationType.NONE)
                    .properties("wasmer.library-path=/nonexistent/libwasmer.so")
                    .run();
        }
    }

    @Test
    void aMissingLibraryTellsWhatToSetOrRun() throws Exception {
        String java = ProcessHandle.current().info().command().orElseThrow();
        Process p = new ProcessBuilder(
                        java,
                        "--enable-native-access=ALL-UNNAMED",
                        "-cp",
                        System.getProperty("java.class.path"),
                        MissingLibraryApp.class.getName())
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isNotZero();
        assertThat(out)
                .contains(
                        "APPLICATION FAILED TO START",
                        "libwasmer could not be loaded",
                        "/nonexistent/libwasmer.so",
                        "Action:",
                        "wasmer.library-path",
                        "build-libwasmer.sh");
    }

    /** The child JVM's application: singlepass asked for, with the default (MIT-only) platform jar alone. */
    public static final class SinglepassWithoutItsJarApp {
        public static void main(String[] args) {
            new SpringApplicationBuilder(WasmerIntegrationTests.App.class)
                    .web(WebApplicationType.NONE)
                    .properties("wasmer.backend=singlepass", "wasmer.cache.enabled=false")
                    .run();
        }
    }

    @Test
    void singlepassWithoutItsJarIsAStartupFailureNamingTheJar() throws Exception {
        String java = ProcessHandle.current().info().command().orElseThrow();
        String classpath = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(entry -> !entry.contains("singlepass"))
                .collect(Collectors.joining(File.pathSeparator));
        Process p = new ProcessBuilder(
                        java,
                        "--enable-native-access=ALL-UNNAMED",
                        "-cp",
                        classpath,
                        SinglepassWithoutItsJarApp.class.getName())
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isNotZero();
        String report = out.substring(out.lastIndexOf("APPLICATION FAILED TO START"));
        assertThat(report.substring(report.indexOf("Action:")))
                .contains(
                        "Set wasmer.backend to one of [cranelift",
                        "or add the jar dev.wasmerffm:wasmer-native:",
                        "-singlepass (Wasmer's singlepass compiler, Business Source License 1.1: production use only"
                                + " for Wasmer sponsors");
    }
}
