package dev.wasmerffm.spring.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wasmerffm.WasmerLibrary;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;

/**
 * {@link WasmerLibraryPreloader} in child JVMs (libwasmer loads once per JVM). Their application has no
 * auto-configuration, so the library is loaded only if the preload loaded it.
 */
class WasmerLibraryPreloaderTests {

    /** An application without auto-configuration: the preload, an application listener, still runs. */
    @Configuration(proxyBeanMethods = false)
    static class NoAutoConfiguration {}

    /** The child JVM's application: prints whether libwasmer got loaded, or is being loaded, while it ran. */
    public static final class Child {
        public static void main(String[] args) throws Exception {
            List<String> properties = new ArrayList<>(List.of("spring.main.banner-mode=off"));
            properties.addAll(List.of(args));
            try (ConfigurableApplicationContext ignored = new SpringApplicationBuilder(NoAutoConfiguration.class)
                    .web(WebApplicationType.NONE)
                    .properties(properties.toArray(String[]::new))
                    .run()) {
                // A preload that started is still running (then joined) or has ended; either way it is over when
                // the line is printed, and "preload" says whether one ran at all.
                Thread preload = Thread.getAllStackTraces().keySet().stream()
                        .filter(t -> t.getName().equals(WasmerLibraryPreloader.THREAD))
                        .findFirst()
                        .orElse(null);
                if (preload != null) {
                    preload.join(TimeUnit.SECONDS.toMillis(60));
                }
                System.out.println("loaded=" + WasmerLibrary.isLoaded()
                        + (WasmerLibrary.isLoaded() ? " path=" + WasmerLibrary.load() : ""));
            }
        }
    }

    private static String run(List<String> jvmOptions, String... properties) throws Exception {
        List<String> command = new ArrayList<>(
                List.of(ProcessHandle.current().info().command().orElseThrow(), "--enable-native-access=ALL-UNNAMED"));
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), Child.class.getName()));
        command.addAll(List.of(properties));
        Path out = Files.createTempFile("preload", ".out");
        Process p = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(out.toFile())
                .start();
        try {
            assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("child JVM ended").isTrue();
        } finally {
            p.destroyForcibly();
        }
        String output = Files.readString(out);
        Files.delete(out);
        assertThat(p.exitValue()).as(output).isZero();
        return output;
    }

    @Test
    void theLibraryLoadsInTheBackgroundWhileTheContextStarts() throws Exception {
        assertThat(run(List.of())).contains("loaded=true path=");
    }

    @Test
    void thePreloadLoadsTheLibraryThatWasmerLibraryPathNames(@TempDir Path dir) throws Exception {
        Path own = Files.createDirectory(
                dir.resolve("lib"), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Path copy = Files.copy(
                WasmerLibrary.load(), own.resolve(WasmerLibrary.load().getFileName()));
        assertThat(run(List.of(), "wasmer.library-path=" + copy)).contains("loaded=true path=" + copy);
    }

    @Test
    void aPreloadThatCannotLoadOrCannotReadItsPropertiesLeavesTheApplicationRunning() throws Exception {
        // the auto-configuration, absent here, reports either at startup (WasmerFailureAnalyzerTests)
        assertThat(run(List.of(), "wasmer.library-path=/nonexistent/libwasmer.so"))
                .contains("loaded=false");
        assertThat(run(List.of(), "wasmer.enabled=perhaps")).contains("loaded=false");
    }

    @Test
    void nothingLoadsOnOneProcessorAsBootPreinitializesNothingThere() throws Exception {
        assertThat(run(List.of("-XX:ActiveProcessorCount=1"))).contains("loaded=false");
    }

    @Test
    void nothingLoadsWhenWasmerIsDisabled() throws Exception {
        assertThat(run(List.of(), "wasmer.enabled=false")).contains("loaded=false");
    }

    @Test
    void nothingLoadsWhenBootsBackgroundPreinitializationIsOff() throws Exception {
        assertThat(run(List.of("-D" + WasmerLibraryPreloader.IGNORE_PROPERTY + "=true")))
                .contains("loaded=false");
    }
}
