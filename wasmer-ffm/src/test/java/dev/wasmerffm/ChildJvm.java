package dev.wasmerffm;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** A child JVM on this test run's class path, for what must not happen in the test JVM itself. */
public final class ChildJvm {

    private ChildJvm() {}

    /** Starts {@code main} with {@code options} before it; its stderr merged into its stdout. */
    public static Process start(Class<?> main, String... options) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElseThrow());
        command.add("--enable-native-access=ALL-UNNAMED");
        command.addAll(List.of(options));
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), main.getName()));
        return new ProcessBuilder(command).redirectErrorStream(true).start();
    }
}
