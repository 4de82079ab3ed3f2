package dev.wasmerffm.bench;

import dev.wasmerffm.Wasmer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs the C baseline and every JMH benchmark in one go and writes a markdown report with ratios, so the figures
 * compare runs from the same minutes on the same machine.
 *
 * <p>Arguments: the baseline binary, the kernel directory, the report file, and {@code smoke} for a short run.
 */
public final class Main {

    private Main() {
    }

    /** Which C baseline line each benchmark compares with. */
    static String baselineOf(String name) {
        if (name.startsWith("kernel ") && name.contains("backend=cranelift")) {
            return "kernel_" + name.replaceAll(".*kernel=(\\w+).*", "$1");
        }
        return switch (name) {
            case "addTyped", "addGeneric", "addBareFfm" -> "add";
            case "hostRoundTrip" -> "host_round_trip";
            case "writeThenRead1MiB" -> "memory_1mib";
            default -> null;
        };
    }

    public static void main(String[] args) throws Exception {
        Path baseline = Path.of(args[0]);
        Path kernels = Path.of(args[1]);
        Path report = Path.of(args[2]);
        boolean smoke = args.length > 3 && args[3].equals("smoke");
        Map<String, Double> c = runBaseline(baseline, kernels, smoke ? 100_000 : 5_000_000);
        // The smoke run stays in this JVM (it runs inside the test suite); the real one forks, as JMH should.
        ChainedOptionsBuilder opts = new OptionsBuilder().include("dev\\.wasmerffm\\.bench\\..*Benchmark")
                .exclude("Peer").forks(smoke ? 0 : 1)
                .jvmArgsAppend("--enable-native-access=ALL-UNNAMED").addProfiler(GCProfiler.class)
                .warmupIterations(smoke ? 0 : 3).warmupTime(TimeValue.seconds(smoke ? 1 : 2))
                .measurementIterations(smoke ? 1 : 5).measurementTime(TimeValue.milliseconds(smoke ? 200 : 2000));
        if (smoke) {
            opts.param("functions", "50");
        }
        Collection<RunResult> results = new Runner(opts.build()).run();
        // The peers get shorter iterations: Chicory's interpreter takes seconds per SHA-256 of 1 MiB.
        // The forks get JVMCI and the Graal compiler so GraalWasm runs on its JIT (the smoke run's test JVM has
        // neither: GraalWasm is interpreted there).
        List<String> peerJvm = new ArrayList<>(List.of("--enable-native-access=ALL-UNNAMED"));
        peerJvm.addAll(graalJit());
        Collection<RunResult> peers = new Runner(new OptionsBuilder().include("dev\\.wasmerffm\\.bench\\.Peer.*")
                .forks(smoke ? 0 : 1).jvmArgsAppend(peerJvm.toArray(String[]::new))
                .warmupIterations(smoke ? 0 : 2).warmupTime(TimeValue.seconds(1))
                .measurementIterations(smoke ? 1 : 3).measurementTime(TimeValue.milliseconds(smoke ? 200 : 2000))
                .build()).run();
        Map<String, Double> score = new LinkedHashMap<>();
        StringBuilder md = new StringBuilder("# Benchmarks\n\n");
        md.append("Run ").append(Instant.now()).append(smoke ? " (smoke run: figures are rough)" : "").append(", JDK ")
                .append(Runtime.version()).append(", libwasmer ").append(Wasmer.version()).append(", ")
                .append(Runtime.getRuntime().availableProcessors()).append(" CPUs, ").append(cpu()).append(".\n\n");
        md.append("| benchmark | score | unit | alloc B/op | C baseline ns/op | ratio to C |\n")
                .append("|---|---:|---|---:|---:|---:|\n");
        for (RunResult r : results) {
            var params = r.getParams().getParamsKeys().stream().filter(k -> !k.equals("functions"))
                    .map(k -> k + "=" + r.getParams().getParam(k)).toList();
            String name = r.getParams().getBenchmark().replaceAll(".*\\.", "") + (params.isEmpty() ? "" : " " + params);
            Result<?> primary = r.getPrimaryResult();
            score.put(name, primary.getScore());
            Result<?> alloc = r.getSecondaryResults().get("gc.alloc.rate.norm");
            String b = baselineOf(name);
            Double base = b == null ? null : c.get(b);
            md.append(String.format("| %s | %.1f | %s | %s | %s | %s |%n", name, primary.getScore(),
                    primary.getScoreUnit(), alloc == null ? "-" : String.format("%.0f", alloc.getScore()),
                    base == null ? "-" : String.format("%.1f", base),
                    base == null ? "-" : String.format("%.2fx", primary.getScore() / base)));
        }
        md.append("\nDerived ratios:\n\n");
        ratio(md, "deserialize vs cranelift compile (speed-up, goal >= 20x)", score.get("compileCranelift"),
                score.get("deserialize"));
        ratio(md, "singlepass vs cranelift compile (speed-up)", score.get("compileCranelift"),
                score.get("compileSinglepass"));
        ratio(md, "pool on 2 threads vs 1 (throughput, goal >= 1.8x)", score.get("throughput2Threads [timing=off]"),
                score.get("throughput1Thread [timing=off]"));
        Double timed = score.get("pooledCall [timing=micrometer]");
        Double untimed = score.get("pooledCall [timing=off]");
        if (timed != null && untimed != null) {
            md.append(String.format("- Micrometer call timing costs %.0f ns per pooled call%n", timed - untimed));
        }
        peerTable(md, score, c, peers);
        md.append("\nStartup and memory (fresh JVMs, median of ").append(smoke ? 1 : 5).append("):\n\n");
        int runs = smoke ? 1 : 5;
        Path work = Files.createTempDirectory("wasmer-bench");
        String jars = jarClasspath(work);
        double cold = median(runs, CLASSPATH, List.of(), "cold-start");
        double coldAot = median(runs, jars, trainAot(work, jars, "cold-start"), "cold-start");
        md.append(String.format("- cold start (load libwasmer, engine, compile, instantiate, first call): %.1f ms;"
                + " with a JDK AOT cache (-XX:AOTCache, one training run): %.1f ms (goal < 100 ms; the same steps"
                + " from C take %s ms: the rest is the JVM's and FFM's own start)%n", cold, coldAot,
                c.get("cold_start_ms") == null ? "-" : String.format("%.1f", c.get("cold_start_ms"))));
        Path cache = work.resolve("module-cache");
        probe(CLASSPATH, List.of(), "starter", cache.toString(), "on"); // fills the module cache
        double on = median(runs, CLASSPATH, List.of(), "starter", cache.toString(), "on");
        double off = median(runs, CLASSPATH, List.of(), "starter", cache.toString(), "off");
        md.append(String.format("- a Spring context with 10 cached modules: %.1f ms with Wasmer, %.1f ms without: %+.1f ms"
                + " (goal < 100 ms)%n", on, off, on - off));
        double onAot = median(runs, jars, trainAot(work, jars, "starter", cache.toString(), "on"), "starter",
                cache.toString(), "on");
        double offAot = median(runs, jars, trainAot(work, jars, "starter", cache.toString(), "off"), "starter",
                cache.toString(), "off");
        md.append(String.format("- the same with a JDK AOT cache each: %.1f ms with Wasmer, %.1f ms without: %+.1f ms%n",
                onAot, offAot, onAot - offAot));
        // A fixed, pre-touched heap keeps heap pages out of the RSS delta; live Java objects are counted apart.
        double[] mem = probe(CLASSPATH, List.of("-Xms512m", "-Xmx512m", "-XX:+AlwaysPreTouch"), "rss-1000");
        Double cRss = c.get("rss_1000_kib");
        double total = mem[0] + mem[1];
        md.append(String.format("- memory of 1 000 live instances: %.0f KiB resident (native) + %.0f KiB live Java heap"
                + " = %.0f KiB through the binding, %s KiB from C: %s (goal <= 1.10x)%n", mem[0], mem[1], total,
                cRss == null ? "-" : String.format("%.0f", cRss),
                cRss == null ? "-" : String.format("%.2fx", total / cRss)));
        md.append("\nC baseline: benchmarks/c/baseline.c on the same modules and libwasmer, best of 5 rounds.\n");
        Files.createDirectories(report.toAbsolutePath().getParent());
        Files.writeString(report, md);
        System.out.println(md);
    }

    /**
     * The binding, C and each peer on the same workloads, with the goals: per call at least 30x faster than
     * wasmtime-java, compute within 1.2x of the fastest peer.
     */
    static void peerTable(StringBuilder md, Map<String, Double> ours, Map<String, Double> c,
            Collection<RunResult> peers) {
        Map<String, Map<String, Double>> peer = new LinkedHashMap<>(); // workload -> runtime -> ns/op
        for (RunResult r : peers) {
            String method = r.getParams().getBenchmark().replaceAll(".*\\.", "");
            String workload = method.equals("kernel") ? "kernel " + r.getParams().getParam("kernel") : method;
            peer.computeIfAbsent(workload, k -> new LinkedHashMap<>()).put(r.getParams().getParam("runtime"),
                    r.getPrimaryResult().getScore());
        }
        md.append("\nPeers on the same modules, in this run (ns/op; in brackets the peer's time over the binding's:"
                + " above 1x the binding is faster). GraalWasm runs on its optimizing runtime (the Graal JIT through"
                + " JVMCI on this JDK; it refuses to run without it), except in the smoke run:\n\n"
                + "| workload | binding | C |");
        Peer.RUNTIMES.forEach(rt -> md.append(' ').append(rt).append(" |"));
        md.append("\n|---|---:|---:|").append("---:|".repeat(Peer.RUNTIMES.size())).append('\n');
        List<String> goals = new ArrayList<>();
        peer.forEach((workload, byRuntime) -> {
            String name = ourName(workload);
            Double mine = ours.get(name);
            Double base = c.get(baselineOf(name));
            md.append("| ").append(workload).append(" | ").append(mine == null ? "-" : String.format("%.1f", mine))
                    .append(" | ").append(base == null ? "-" : String.format("%.1f", base)).append(" |");
            for (String rt : Peer.RUNTIMES) {
                Double p = byRuntime.get(rt);
                md.append(p == null ? " - |" : String.format(" %.1f (%.2fx) |", p, mine == null ? 0 : p / mine));
            }
            md.append('\n');
            if (mine == null) {
                return;
            }
            if (workload.equals("add") && byRuntime.containsKey("wasmtime-java")) {
                goals.add(String.format("per call, wasmtime-java (JNI) takes %.1fx the binding's time (goal >= 30x)",
                        byRuntime.get("wasmtime-java") / mine));
                Double compiled = byRuntime.get("chicory-compiler");
                if (compiled != null) {
                    goals.add(String.format("Chicory's compiler turns wasm into JVM bytecode: its add takes %.1f ns"
                            + " and crosses no native boundary; the binding takes %.1f ns and C itself %s ns per"
                            + " wasm_func_call, so no native binding can match it on trivial calls", compiled, mine,
                            base == null ? "-" : String.format("%.1f", base)));
                }
            }
            if (workload.startsWith("kernel ")) {
                var fastest = byRuntime.entrySet().stream().min(Map.Entry.comparingByValue()).orElseThrow();
                goals.add(String.format("%s: the fastest peer is %s at %.1f ns; the binding takes %.2fx that (goal"
                        + " <= 1.2x)%s", workload, fastest.getKey(), fastest.getValue(), mine / fastest.getValue(),
                        base == null ? "" : String.format(", C on the same libwasmer %.2fx", base
                                / fastest.getValue())));
            }
        });
        md.append('\n');
        goals.forEach(g -> md.append("- ").append(g).append('\n'));
    }

    /** System property that makes GraalWasm refuse to run without its JIT. */
    static final String GRAAL_JIT = "wasmer.bench.graal.jit";

    /** JVM options giving GraalWasm its optimizing runtime: JVMCI, and the Graal compiler with its modules. */
    static List<String> graalJit() {
        String modules = Arrays.stream(CLASSPATH.split(java.io.File.pathSeparator))
                .filter(e -> e.matches(".*/org/graalvm/.*/(compiler|collections|word|nativeimage|truffle-compiler)"
                        + "-[0-9.]+\\.jar"))
                .collect(java.util.stream.Collectors.joining(java.io.File.pathSeparator));
        return List.of("-XX:+UnlockExperimentalVMOptions", "-XX:+EnableJVMCI", "--upgrade-module-path=" + modules,
                "-D" + GRAAL_JIT + "=true");
    }

    /** The binding's benchmark for a peer workload. */
    static String ourName(String workload) {
        return switch (workload) {
            case "add" -> "addTyped";
            case "hostRoundTrip", "writeThenRead1MiB" -> workload;
            default -> "kernel [backend=cranelift, kernel=" + workload.substring("kernel ".length()) + "]";
        };
    }

    /** The class path this JVM runs with: probes use it unless they need jars only. */
    static final String CLASSPATH = System.getProperty("java.class.path");

    /** Runs {@link Probes} in a fresh JVM with {@code jvm} options; returns the numbers of its last line. */
    static double[] probe(String classpath, List<String> jvm, String... args)
            throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "--enable-native-access=ALL-UNNAMED", "-cp", classpath));
        cmd.addAll(jvm);
        cmd.add(Probes.class.getName());
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes()).strip();
        if (p.waitFor() != 0) {
            throw new IllegalStateException("probe " + String.join(" ", args) + " failed: " + out);
        }
        // The JVM may log after the probe's line (e.g. when it writes an AOT cache): take the last line of numbers.
        String last = out.lines().filter(l -> l.matches("[-0-9. ]+")).reduce((a, b) -> b)
                .orElseThrow(() -> new IllegalStateException("probe " + String.join(" ", args) + " printed: " + out));
        return Arrays.stream(last.trim().split("\\s+")).mapToDouble(Double::parseDouble).toArray();
    }

    /** The median of the first number {@code runs} probes print. */
    static double median(int runs, String classpath, List<String> jvm, String... args)
            throws IOException, InterruptedException {
        double[] values = new double[runs];
        for (int i = 0; i < runs; i++) {
            values[i] = probe(classpath, jvm, args)[0];
        }
        Arrays.sort(values);
        return values[runs / 2];
    }

    /** The class path with each directory replaced by a jar of it: the JDK's AOT cache accepts only jars. */
    static String jarClasspath(Path work) {
        List<String> entries = new ArrayList<>();
        for (String e : CLASSPATH.split(java.io.File.pathSeparator)) {
            if (Files.isDirectory(Path.of(e))) {
                String jar = work.resolve("classes-" + entries.size() + ".jar").toString();
                int rc = java.util.spi.ToolProvider.findFirst("jar").orElseThrow().run(System.out, System.err,
                        "--create", "--file", jar, "-C", e, ".");
                if (rc != 0) {
                    throw new IllegalStateException("jar failed for " + e);
                }
                entries.add(jar);
            } else {
                entries.add(e);
            }
        }
        return String.join(java.io.File.pathSeparator, entries);
    }

    /** Trains a JDK AOT cache with one run of the probe; returns the option that uses it. */
    static List<String> trainAot(Path work, String jars, String... args) throws IOException, InterruptedException {
        String file = work.resolve(String.join("-", args).replaceAll("[^\\w-]", "_") + ".aot").toString();
        probe(jars, List.of("-XX:AOTCacheOutput=" + file), args);
        return List.of("-XX:AOTCache=" + file);
    }

    private static void ratio(StringBuilder md, String what, Double a, Double b) {
        if (a != null && b != null) {
            md.append(String.format("- %s: %.1fx%n", what, a / b));
        }
    }

    static Map<String, Double> runBaseline(Path binary, Path kernels, long calls)
            throws IOException, InterruptedException {
        Process p = new ProcessBuilder(binary.toString(), kernels.toString(), Long.toString(calls))
                .redirectErrorStream(true).start();
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
