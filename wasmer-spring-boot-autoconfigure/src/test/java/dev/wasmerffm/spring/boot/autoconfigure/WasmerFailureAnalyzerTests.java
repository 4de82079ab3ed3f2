package dev.wasmerffm.spring.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;

/** A missing libwasmer fails startup with a description and an action (in a fresh JVM: this one has it loaded). */
class WasmerFailureAnalyzerTests {

    /** The child JVM's application. */
    public static final class MissingLibraryApp {
        public static void main(String[] args) {
            new SpringApplicationBuilder(WasmerIntegrationTests.App.class).web(WebApplicationType.NONE)
                    .properties("wasmer.library-path=/nonexistent/libwasmer.so").run();
        }
    }

    @Test
    void aMissingLibraryTellsWhatToSetOrRun() throws Exception {
        String java = ProcessHandle.current().info().command().orElseThrow();
        Process p = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "-cp",
                System.getProperty("java.class.path"), MissingLibraryApp.class.getName()).redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isNotZero();
        assertThat(out).contains("APPLICATION FAILED TO START", "libwasmer could not be loaded",
                "/nonexistent/libwasmer.so", "Action:", "wasmer.library-path", "build-libwasmer.sh");
    }
}
