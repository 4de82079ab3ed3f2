package dev.wasmerffm;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A child JVM on this test run's class path with native access, for what must not happen in the test JVM itself: a
 * Rust panic or a hang ends the child, never the test run; and {@link #exec} for any child process a test waits for.
 */
public final class ChildJvm {

    private ChildJvm() {}

    /** What a child printed (stdout and stderr merged) and how it exited. */
    public record Result(int exitCode, String output) {

        /** Asserts the child exited 0 and returns its output. */
        public String ok() {
            assertThat(exitCode).as("child exited %d:%n%s", exitCode, output).isZero();
            return output;
        }
    }

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
        String out = exec(
                        new ProcessBuilder(command(descriptorLimit, jvmOptions, main, List.of(args))),
                        Duration.ofSeconds(120))
                .ok();
        System.out.print(out);
        return out;
    }

    /** The command that starts {@code main} on {@code classpath} with native access and {@code jvmOptions}. */
    public static List<String> java(List<String> jvmOptions, String classpath, Class<?> main, String... args) {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElseThrow());
        command.add("--enable-native-access=ALL-UNNAMED");
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", classpath, main.getName()));
        command.addAll(List.of(args));
        return command;
    }

    /**
     * Runs {@code process} (its stderr merged into its stdout, which goes to a file: a child never blocks on a full
     * pipe, and reading never waits for a child that does not end); asserts it ended within {@code timeout}, killing
     * it if not.
     */
    public static Result exec(ProcessBuilder process, Duration timeout) throws IOException, InterruptedException {
        File log = File.createTempFile("child", ".log");
        try {
            Process p = process.redirectErrorStream(true).redirectOutput(log).start();
            boolean ended = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (!ended) {
                p.destroyForcibly().waitFor();
            }
            String out = new String(Files.readAllBytes(log.toPath()), StandardCharsets.UTF_8);
            assertThat(ended)
                    .as("%s still running after %s: %s", process.command(), timeout, out)
                    .isTrue();
            return new Result(p.exitValue(), out);
        } finally {
            Files.deleteIfExists(log.toPath());
        }
    }

    private static List<String> command(
            int descriptorLimit, List<String> jvmOptions, Class<?> main, List<String> args) {
        List<String> command = new ArrayList<>();
        if (descriptorLimit > 0) {
            command.addAll(List.of("bash", "-c", "ulimit -n " + descriptorLimit + " && exec \"$0\" \"$@\""));
        }
        command.addAll(java(jvmOptions, System.getProperty("java.class.path"), main, args.toArray(String[]::new)));
        return command;
    }
}
