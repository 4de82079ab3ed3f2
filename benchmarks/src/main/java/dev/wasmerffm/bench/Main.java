package dev.wasmerffm.bench;

import dev.wasmerffm.Wasmer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs the C baseline and the JMH benchmarks in one go and writes a markdown report with ratios, so the figures
 * compare runs from the same minute on the same machine.
 *
 * <p>Arguments: the baseline binary, the report file, and {@code smoke} for a short run.
 */
public final class Main {

    private Main() {
    }

    /** Which C baseline line each benchmark compares with. */
    static final Map<String, String> BASELINE_OF = Map.of("addTyped", "add", "addGeneric", "add", "addBareFfm", "add",
            "hostRoundTrip", "host_round_trip");

    public static void main(String[] args) throws Exception {
        Path baseline = Path.of(args[0]);
        Path report = Path.of(args[1]);
        boolean smoke = args.length > 2 && args[2].equals("smoke");
        Map<String, Double> c = runBaseline(baseline, smoke ? 200_000 : 5_000_000);
        Options opts = new OptionsBuilder().include(CallBenchmark.class.getName()).include(PoolBenchmark.class.getName())
                .forks(1)
                .jvmArgsAppend("--enable-native-access=ALL-UNNAMED")
                .warmupIterations(smoke ? 1 : 3).warmupTime(TimeValue.seconds(smoke ? 1 : 2))
                .measurementIterations(smoke ? 1 : 5).measurementTime(TimeValue.seconds(smoke ? 1 : 2)).build();
        Collection<RunResult> results = new Runner(opts).run();
        StringBuilder md = new StringBuilder();
        md.append("# Benchmarks\n\n");
        md.append("Run ").append(Instant.now()).append(smoke ? " (smoke run: figures are rough)" : "").append(", JDK ")
                .append(Runtime.version()).append(", libwasmer ").append(Wasmer.version()).append(", ")
                .append(Runtime.getRuntime().availableProcessors()).append(" CPUs, ").append(cpu()).append(".\n\n");
        md.append("| benchmark | ns/op (binding) | C baseline ns/op | ratio to C |\n|---|---:|---:|---:|\n");
        for (RunResult r : results) {
            String name = r.getParams().getBenchmark().replaceAll(".*\\.", "")
                    + (r.getParams().getParamsKeys().isEmpty() ? "" : " " + r.getParams().getParamsKeys().stream()
                            .map(k -> k + "=" + r.getParams().getParam(k)).toList());
            double ns = r.getPrimaryResult().getScore();
            Double base = c.get(BASELINE_OF.get(name.split(" ")[0]));
            md.append(String.format("| %s | %.1f | %s | %s |%n", name, ns, base == null ? "-" : String.format("%.1f",
                    base), base == null ? "-" : String.format("%.2fx", ns / base)));
        }
        md.append("\nC baseline: benchmarks/c/baseline.c, best of 5 rounds, same libwasmer, same minute.\n");
        Files.createDirectories(report.toAbsolutePath().getParent());
        Files.writeString(report, md);
        System.out.println(md);
    }

    static Map<String, Double> runBaseline(Path binary, long calls) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(binary.toString(), Long.toString(calls)).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new IllegalStateException("baseline failed: " + out);
        }
        Map<String, Double> m = new LinkedHashMap<>();
        out.lines().map(l -> l.split(" ")).filter(a -> a.length == 2).forEach(a -> m.put(a[0], Double.parseDouble(a[1])));
        return m;
    }

    static String cpu() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .findFirst().map(l -> l.replaceAll(".*:\\s*", "")).orElse("unknown CPU");
        } catch (IOException e) {
            return "unknown CPU";
        }
    }
}
