package dev.wasmerffm;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A child JVM on this test run's class path with native access, for what must not happen in the test JVM itself: a
 * Rust panic or a hang ends the child, never the test run.
 */
public final class ChildJvm {

    private ChildJvm() {}

    /** Starts {@code main} with {@code options} before it; its stderr merged into its stdout. */
    public static Process start(Class<?> main, String... options) throws IOException {
        return new ProcessBuilder(command(0, List.of(options), main, List.of()))
                .redirectErrorStream(true)
                .start();
    }

    /**
     * Runs {@code main} with {@code jvmOptions} and {@code args} (under {@code bash -c "ulimit -n N"} when
     * {@code descriptorLimit > 0}); asserts it ended within 120 s with exit 0 and returns its output.
     */
    public static String run(int descriptorLimit, List<String> jvmOptions, Class<?> main, String... args)
            throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command(descriptorLimit, jvmOptions, main, List.of(args)))
                .redirectErrorStream(true)
                .start();
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

    private static List<String> command(
            int descriptorLimit, List<String> jvmOptions, Class<?> main, List<String> args) {
        List<String> command = new ArrayList<>();
        if (descriptorLimit > 0) {
            command.addAll(List.of("bash", "-c", "ulimit -n " + descriptorLimit + " && exec \"$0\" \"$@\""));
        }
        command.add(ProcessHandle.current().info().command().orElseThrow());
        command.add("--enable-native-access=ALL-UNNAMED");
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), main.getName()));
        command.addAll(args);
        return command;
    }
}
