package dev.wasmerffm;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a class's {@code main} in a child JVM on this test's classpath with native access, for crash cases: a Rust
 * panic or a hang ends the child, never the test run.
 */
public final class ChildJvm {

    private ChildJvm() {}

    /**
     * Runs {@code main} with {@code jvmOptions} and {@code args} (under {@code bash -c "ulimit -n N"} when
     * {@code descriptorLimit > 0}); asserts it ended within 120 s with exit 0 and returns its output.
     */
    public static String run(int descriptorLimit, List<String> jvmOptions, Class<?> main, String... args)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        if (descriptorLimit > 0) {
            command.addAll(List.of("bash", "-c", "ulimit -n " + descriptorLimit + " && exec \"$0\" \"$@\""));
        }
        command.add(ProcessHandle.current().info().command().orElseThrow());
        command.addAll(jvmOptions);
        command.addAll(List.of(
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"), main.getName()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        boolean ended = p.waitFor(120, TimeUnit.SECONDS);
        if (!ended) {
            p.destroyForcibly().waitFor(); // before reading: a live child's output never ends
        }
        String out = new String(p.getInputStream().readAllBytes());
        System.out.print(out);
        assertThat(ended).as("child JVM hung: %s", out).isTrue();
        assertThat(p.exitValue())
                .as("%s %s exited abnormally:%n%s", main.getSimpleName(), List.of(args), out)
                .isZero();
        return out;
    }
}
