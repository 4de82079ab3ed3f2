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
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
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

    private Main() {}

    /** Which C baseline line each benchmark compares with. */
    static String baselineOf(String name) {
        if (name.startsWith("kernel ") && name.contains("backend=cranelift")) {
            return "kernel_" + name.replaceAll(".*kernel=(\\w+).*", "$1");
        }
        return switch (name) {
            case "addTyped", "addGeneric", "addBareFfm" -> "add";
            case "hostRoundTrip", "hostRoundTripBareFfm" -> "host_round_trip";
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
        ChainedOptionsBuilder opts = new OptionsBuilder()
                .include("dev\\.wasmerffm\\.bench\\..*Benchmark")
                .exclude(PEERS)
                .forks(smoke ? 0 : 1)
                .jvmArgsAppend("--enable-native-access=ALL-UNNAMED")
                .addProfiler(GCProfiler.class)
                .warmupIterations(smoke ? 0 : 3)
                .warmupTime(TimeValue.seconds(smoke ? 1 : 2))
                .measurementIterations(smoke ? 1 : 5)
                .measurementTime(TimeValue.milliseconds(smoke ? 200 : 2000));
        if (smoke) {
            opts.param("functions", "50");
            // ExtismBenchmark: the Rust plugin compiles in a second, the Go one takes many
            opts.param("plugin", "rust-plugin");
        }
        Collection<RunResult> results = new Runner(opts.build()).run();
        String graal = Pattern.quote(GraalWasmBenchmark.class.getName() + ".");
        Collection<RunResult> peers = new ArrayList<>(new Runner(peerOptions(smoke)
                        .include(PEERS)
                        .exclude(graal)
                        .forks(smoke ? 0 : 1)
                        .jvmArgsAppend("--enable-native-access=ALL-UNNAMED")
                        .build())
                .run());
        // GraalWasm forks even in the smoke run: its JIT needs JVM options that this JVM (the test JVM, too) lacks.
        List<String> graalJvm = new ArrayList<>(List.of("--enable-native-access=ALL-UNNAMED"));
        graalJvm.addAll(GraalWasmBenchmark.jitOptions());
        peers.addAll(new Runner(peerOptions(smoke)
                        .include(graal)
                        .forks(1)
                        .jvmArgs(graalJvm.toArray(String[]::new))
                        .build())
                .run());
        Map<String, Double> score = new LinkedHashMap<>();
        Map<String, Double> allocs = new LinkedHashMap<>();
        Map<String, Result<?>> primaries = new LinkedHashMap<>();
        StringBuilder md = new StringBuilder("# Benchmarks\n\n");
        md.append("Run ")
                .append(Instant.now())
                .append(smoke ? " (smoke run: figures are rough)" : "")
                .append(", JDK ")
                .append(Runtime.version())
                .append(", libwasmer ")
                .append(Wasmer.version())
                .append(", ")
                .append(Runtime.getRuntime().availableProcessors())
                .append(" CPUs, ")
                .append(cpu())
                .append(", load average when the JMH runs ended ")
                .append(loadAverage())
                .append(".\n\n");
        md.append("| benchmark | score | unit | alloc B/op | C baseline ns/op | ratio to C |\n")
                .append("|---|---:|---|---:|---:|---:|\n");
        for (RunResult r : results) {
            var params = r.getParams().getParamsKeys().stream()
                    .filter(k -> !k.equals("functions"))
                    .map(k -> k + "=" + r.getParams().getParam(k))
                    .toList();
            String name = r.getParams().getBenchmark().replaceAll(".*\\.", "") + (params.isEmpty() ? "" : " " + params);
            Result<?> primary = r.getPrimaryResult();
            score.put(name, primary.getScore());
            primaries.put(name, primary);
            Result<?> alloc = r.getSecondaryResults().get("gc.alloc.rate.norm");
            if (alloc != null) {
                allocs.put(name, alloc.getScore());
            }
            String b = baselineOf(name);
            Double base = b == null ? null : c.get(b);
            md.append(String.format(
                    "| %s | %.1f | %s | %s | %s | %s |%n",
                    name,
                    primary.getScore(),
                    primary.getScoreUnit(),
                    alloc == null ? "-" : String.format("%.0f", alloc.getScore()),
                    base == null ? "-" : String.format("%.1f", base),
                    base == null ? "-" : String.format("%.2fx", primary.getScore() / base)));
        }
        md.append("\nDerived ratios:\n\n");
        overhead(md, "add (typed)", score.get("addTyped"), score.get("addBareFfm"), c.get("add"));
        overhead(
                md,
                "host round trip",
                score.get("hostRoundTrip"),
                score.get("hostRoundTripBareFfm"),
                c.get("host_round_trip"));
        ratio(
                md,
                "deserialize vs cranelift compile (speed-up, goal >= 20x)",
                score.get("compileCranelift"),
                score.get("deserialize"));
        ratio(
                md,
                "singlepass vs cranelift compile (speed-up)",
                score.get("compileCranelift"),
                score.get("compileSinglepass"));
        ratio(
                md,
                "pool on 2 threads vs 1 (throughput, goal >= 1.8x)",
                score.get("throughput2Threads [timing=off]"),
                score.get("throughput1Thread [timing=off]"));
        ratio(
                md,
                "pool on 4 threads vs 1 (throughput; 2 cores, 2 instances)",
                score.get("throughput4Threads [timing=off]"),
                score.get("throughput1Thread [timing=off]"));
        int pairs = smoke ? 2 : 16;
        double[] paired = probe(CLASSPATH, List.of(), "pool-scaling", Integer.toString(pairs), smoke ? "50" : "300");
        md.append(String.format(
                "- pool on 2 threads vs 1 in one JVM, alternating %s ms windows (median of %d pairs,"
                        + " quartiles %.2f-%.2fx; the load cancels out of each pair): %.2fx%n",
                smoke ? "50" : "300", pairs, paired[1], paired[2], paired[0]));
        Double bare2 = score.get("scalingBareFfm2Threads");
        Double typed2 = score.get("scalingTyped2Threads");
        if (bare2 != null && typed2 != null) {
            md.append(String.format(
                    "- add on 2 threads vs 1, each thread with a store of its own (the floor under the"
                            + " pool's): C %s, bare FFM %.2fx, typed binding %.2fx%n",
                    c.get("add_2_threads_vs_1") == null ? "-" : String.format("%.2fx", c.get("add_2_threads_vs_1")),
                    bare2 / score.get("scalingBareFfm1Thread"),
                    typed2 / score.get("scalingTyped1Thread")));
        }
        Double timed = score.get("pooledCall [timing=micrometer]");
        Double untimed = score.get("pooledCall [timing=off]");
        if (timed != null && untimed != null) {
            md.append(String.format("- Micrometer call timing costs %.0f ns per pooled call%n", timed - untimed));
        }
        Double virtual = score.get("addTypedFromVirtualThread");
        if (virtual != null) {
            md.append(String.format(
                    "- a call from a virtual thread (typed add, run on a platform thread and back): %.0f ns,"
                            + " %.0f ns more than from a platform thread%n",
                    virtual, virtual - score.get("addTyped")));
        }
        deadlines(md, score, allocs, primaries);
        double[] watchdog = probe(CLASSPATH, List.of(), "watchdog-cpu");
        md.append(String.format(
                "- the watchdog's CPU while a call runs past a deadline it cannot stop: %.2f ms per second for a"
                        + " guest sleeping in libwasmer, %.2f ms per second for a host function ignoring its"
                        + " interrupt (goal 0)%n",
                watchdog[0], watchdog[1]));
        peerTable(md, score, c, peers, smoke);
        md.append("\nStartup and memory (fresh JVMs, median of ")
                .append(smoke ? 1 : 5)
                .append("; the two figures of a line from runs made alternately):\n\n");
        int runs = smoke ? 1 : 5;
        Path work = Files.createTempDirectory("wasmer-bench");
        String jars = jarClasspath(work);
        double[] cold = medians(
                runs,
                new Probe(CLASSPATH, List.of(), "cold-start"),
                new Probe(jars, trainAot(work, jars, "cold-start"), "cold-start"));
        md.append(String.format(
                "- cold start (load libwasmer, engine, compile, instantiate, first call): %.1f ms;"
                        + " with a JDK AOT cache (-XX:AOTCache, one training run): %.1f ms (goal < 100 ms; the same steps"
                        + " from C take %s ms: the rest is the JVM's and FFM's own start)%n",
                cold[0],
                cold[1],
                c.get("cold_start_ms") == null ? "-" : String.format("%.1f", c.get("cold_start_ms"))));
        Path cache = work.resolve("module-cache");
        probe(CLASSPATH, List.of(), "starter", cache.toString(), "on"); // fills the module cache
        double[] starter = medians(
                runs,
                new Probe(CLASSPATH, List.of(), "starter", cache.toString(), "on"),
                new Probe(CLASSPATH, List.of(), "starter", cache.toString(), "off"),
                new Probe(CLASSPATH, List.of(), "starter", cache.toString(), "compile"));
        md.append(String.format(
                "- a Spring context with 8 cached modules: %.1f ms with Wasmer, %.1f ms without: %+.1f ms"
                        + " (goal < 100 ms); compiling them instead (wasmer.cache.enabled=false): %.1f ms, so the"
                        + " cache saves %+.1f ms%n",
                starter[0], starter[1], starter[0] - starter[1], starter[2], starter[2] - starter[0]));
        double[] aot = medians(
                runs,
                new Probe(
                        jars,
                        trainAot(work, jars, "starter", cache.toString(), "on"),
                        "starter",
                        cache.toString(),
                        "on"),
                new Probe(
                        jars,
                        trainAot(work, jars, "starter", cache.toString(), "off"),
                        "starter",
                        cache.toString(),
                        "off"));
        md.append(String.format(
                "- the same with a JDK AOT cache each: %.1f ms with Wasmer, %.1f ms without: %+.1f ms%n",
                aot[0], aot[1], aot[0] - aot[1]));
        // A fixed, pre-touched heap keeps heap pages out of the RSS delta; live Java objects are counted apart.
        double[] mem = probe(CLASSPATH, List.of("-Xms512m", "-Xmx512m", "-XX:+AlwaysPreTouch"), "rss-1000");
        Double cRss = c.get("rss_1000_kib");
        double total = mem[0] + mem[1];
        md.append(String.format(
                "- memory of 1 000 live instances: %.0f KiB resident (native) + %.0f KiB live Java heap"
                        + " = %.0f KiB through the binding, %s KiB from C: %s (goal <= 1.10x)%n",
                mem[0],
                mem[1],
                total,
                cRss == null ? "-" : String.format("%.0f", cRss),
                cRss == null ? "-" : String.format("%.2fx", total / cRss)));
        md.append("\nC baseline: benchmarks/c/baseline.c on the same modules and libwasmer, best of 5 rounds.\n");
        Files.createDirectories(report.toAbsolutePath().getParent());
        Files.writeString(report, md);
        System.out.println(md);
    }

    /** What each stop benchmark of {@link DeadlineBenchmark} stops, in the report's words. */
    static final Map<String, String> STOPS = stops();

    private static Map<String, String> stops() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("stopEndlessLoop", "an endless metered loop");
        m.put("stopOtherStoreLoop", "an endless loop of another store, called from a host function");
        m.put("stopSleepingWasiCall", "a guest sleeping in WASI's poll_oneoff");
        m.put("stopBlockingHostFunction", "a host function blocked in Thread.sleep");
        return m;
    }

    /** The deadline figures: what a deadline adds to a call, how late it stops what runs, what metering costs. */
    static void deadlines(
            StringBuilder md, Map<String, Double> score, Map<String, Double> allocs, Map<String, Result<?>> results) {
        Double with = score.get("addWithDeadline");
        Double without = score.get("addNoDeadline");
        if (with != null && without != null) {
            md.append(String.format(
                    "- a deadline adds %.1f ns and %.0f B to a call (typed add, metered module: %.1f vs"
                            + " %.1f ns; goal <= 50 ns, 0 B)%n",
                    with - without, allocs.getOrDefault("addWithDeadline", 0.0), with, without));
        }
        double ms = DeadlineBenchmark.STOP_AFTER.toNanos();
        STOPS.forEach((benchmark, what) -> {
            Result<?> stop = results.get(benchmark);
            if (stop != null) {
                var stats = stop.getStatistics();
                md.append(String.format(
                        "- %s, with a 1 ms deadline, stops %.2f ms late at the median, %.2f ms at p99 (%d rounds;"
                                + " goal p99 <= 5 ms on an idle machine)%n",
                        what,
                        (stats.getPercentile(50) - ms) / 1e6,
                        (stats.getPercentile(99) - ms) / 1e6,
                        stats.getN()));
            }
        });
        for (String k : Kernels.NAMES) {
            ratio(
                    md,
                    "kernel " + k + ": compiled for deadlines (metered) vs not, cranelift (time)",
                    score.get("kernel [backend=cranelift-deadlines, kernel=" + k + "]"),
                    score.get("kernel [backend=cranelift, kernel=" + k + "]"));
        }
    }

    /** The 1, 5 and 15 minute load averages: figures from a busy machine are not an idle one's. */
    static String loadAverage() {
        try {
            return String.join(
                    " / ",
                    List.of(Files.readString(Path.of("/proc/loadavg")).split(" "))
                            .subList(0, 3));
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    /** The peer runtimes' benchmarks (subclasses of {@link PeerBenchmark}), run apart from the binding's. */
    static final String PEERS = "dev\\.wasmerffm\\.bench\\.(Chicory|GraalWasm|WasmtimeJava)Benchmark\\.";

    /** The peers' iterations: their classes' own, shortened in the smoke run. A peer that fails fails the run. */
    static ChainedOptionsBuilder peerOptions(boolean smoke) {
        ChainedOptionsBuilder opts = new OptionsBuilder().shouldFailOnError(true);
        return smoke
                ? opts.warmupIterations(0).measurementIterations(1).measurementTime(TimeValue.milliseconds(200))
                : opts;
    }

    /** A peer's name in the report: its class, and Chicory's mode ("chicory-compiler", "graal-wasm"). */
    static String runtimeOf(RunResult r) {
        String runtime = r.getParams()
                .getBenchmark()
                .replaceAll(".*\\.(\\w+)Benchmark\\.\\w+$", "$1")
                .replaceAll("([a-z])([A-Z])", "$1-$2")
                .toLowerCase(java.util.Locale.ROOT);
        String mode = r.getParams().getParam("mode");
        return mode == null ? runtime : runtime + "-" + mode;
    }

    /** The binding's benchmark for a peer workload: the typed add, and the kernels on cranelift, as the C baseline. */
    static String ourName(String workload) {
        return switch (workload) {
            case "add" -> "addTyped";
            case "hostRoundTrip", "writeThenRead1MiB" -> workload;
            default -> "kernel [backend=cranelift, kernel=" + workload + "]";
        };
    }

    /**
     * The binding, C and each peer on the same workloads, with the goals: per call at least 30x faster than
     * wasmtime-java, compute within 1.2x of the fastest peer.
     */
    static void peerTable(
            StringBuilder md,
            Map<String, Double> ours,
            Map<String, Double> c,
            Collection<RunResult> peers,
            boolean smoke) {
        Map<String, Map<String, Double>> peer = new LinkedHashMap<>(); // workload -> runtime -> ns/op
        Set<String> runtimes = new TreeSet<>();
        for (RunResult r : peers) {
            runtimes.add(runtimeOf(r));
            peer.computeIfAbsent(r.getParams().getParam("workload"), k -> new LinkedHashMap<>())
                    .put(runtimeOf(r), r.getPrimaryResult().getScore());
        }
        md.append("\nPeers on the same modules and arguments, in this run, from ")
                .append(peerVersions())
                .append(" (ns/op; in brackets the binding's time over that column's: below 1x the binding is faster)."
                        + " GraalWasm runs on Truffle's optimizing runtime, the Graal JIT through JVMCI"
                        + " (GraalWasmBenchmark refuses the fallback runtime); it writes memory 8 bytes a call, as the"
                        + " polyglot API has no bulk write")
                .append(smoke ? "; smoke run: GraalWasm barely warmed up" : "")
                .append(":\n\n| workload | binding | C |");
        runtimes.forEach(rt -> md.append(' ').append(rt).append(" |"));
        md.append("\n|---|---:|---:|").append("---:|".repeat(runtimes.size())).append('\n');
        List<String> goals = new ArrayList<>();
        peer.forEach((workload, byRuntime) -> {
            boolean kernel = ourName(workload).startsWith("kernel");
            double mine = ours.get(ourName(workload));
            Double base = c.get(baselineOf(ourName(workload)));
            String row = kernel ? "kernel " + workload : workload;
            md.append("| ").append(row).append(String.format(" | %.1f | %s |", mine, cell(mine, base)));
            runtimes.forEach(
                    rt -> md.append(' ').append(cell(mine, byRuntime.get(rt))).append(" |"));
            md.append('\n');
            Double jni = byRuntime.get("wasmtime-java");
            if ((workload.equals("add") || workload.equals("hostRoundTrip")) && jni != null) {
                goals.add(String.format(
                        "%s: wasmtime-java (JNI) takes %.1f ns, the binding %.1f ns: %.1fx faster"
                                + " (goal >= 30x: %s)",
                        workload, jni, mine, jni / mine, jni / mine >= 30 ? "met" : "missed"));
            }
            Double compiled = byRuntime.get("chicory-compiler");
            if (workload.equals("add") && compiled != null) {
                goals.add(String.format(
                        "Chicory's compiler turns wasm into JVM bytecode, which HotSpot compiles"
                                + " with its caller: its add takes %.1f ns and crosses no native boundary, while the binding"
                                + " takes %.1f ns and C itself %s ns per wasm_func_call into libwasmer: no native binding can"
                                + " match it on trivial calls",
                        compiled, mine, base == null ? "-" : String.format("%.1f", base)));
            }
            var fastest = byRuntime.entrySet().stream().min(Map.Entry.comparingByValue());
            if (kernel && fastest.isPresent()) {
                double best = fastest.get().getValue();
                String floor = base == null
                        ? ""
                        : base > best
                                ? String.format(
                                        "; libwasmer itself is slower here: C takes %.1f ns, %.2fx the peer, the floor"
                                                + " for any binding of it",
                                        base, base / best)
                                : String.format("; C on the same libwasmer %.2fx", base / best);
                goals.add(String.format(
                        "%s: the fastest peer is %s at %.1f ns; the binding (cranelift) takes %.2fx"
                                + " that (goal <= 1.2x: %s)%s",
                        row, fastest.get().getKey(), best, mine / best, mine / best <= 1.2 ? "met" : "missed", floor));
            }
        });
        md.append('\n');
        goals.forEach(g -> md.append("- ").append(g).append('\n'));
    }

    /** "ns/op (binding / this)", or "-" where the figure is missing; small ratios keep two significant digits. */
    private static String cell(double mine, Double other) {
        if (other == null) {
            return "-";
        }
        double ratio = mine / other;
        return String.format(
                "%.1f (%sx)",
                other,
                ratio >= 0.1
                        ? String.format("%.2f", ratio)
                        : new java.math.BigDecimal(ratio)
                                .round(new java.math.MathContext(2))
                                .toPlainString());
    }

    /** The peers' versions, from their jars on the class path. */
    static String peerVersions() {
        return Map.of(
                        "Chicory",
                        "chicory/runtime",
                        "GraalWasm",
                        "wasm/wasm-language",
                        "wasmtime-java",
                        "wasmtime/wasmtime-java")
                .entrySet()
                .stream()
                .sorted(Map.Entry.comparingByKey())
                .map(e -> {
                    Matcher m =
                            Pattern.compile("/" + e.getValue() + "/([^/]+)/").matcher(CLASSPATH);
                    return e.getKey() + " " + (m.find() ? m.group(1) : "?");
                })
                .collect(Collectors.joining(", "));
    }

    /** The class path this JVM runs with: probes use it unless they need jars only. */
    static final String CLASSPATH = System.getProperty("java.class.path");

    /** Runs {@link Probes} in a fresh JVM with {@code jvm} options; returns the numbers of its last line. */
    static double[] probe(String classpath, List<String> jvm, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(
                ProcessHandle.current().info().command().orElse("java"),
                "--enable-native-access=ALL-UNNAMED",
                "-cp",
                classpath));
        cmd.addAll(jvm);
        cmd.add(Probes.class.getName());
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes()).strip();
        if (p.waitFor() != 0) {
            throw new IllegalStateException("probe " + String.join(" ", args) + " failed: " + out);
        }
        // The JVM may log after the probe's line (e.g. when it writes an AOT cache): take the last line of numbers.
        String last = out.lines()
                .filter(l -> l.matches("[-0-9. ]+"))
                .reduce((a, b) -> b)
                .orElseThrow(() -> new IllegalStateException("probe " + String.join(" ", args) + " printed: " + out));
        return Arrays.stream(last.trim().split("\\s+"))
                .mapToDouble(Double::parseDouble)
                .toArray();
    }

    /** A probe run: its class path, JVM options and arguments. */
    record Probe(String classpath, List<String> jvm, String... args) {}

    /**
     * The medians of the first number each probe prints, {@code runs} times each, run in turn: load that drifts over
     * the runs then weighs on all alike.
     */
    static double[] medians(int runs, Probe... probes) throws IOException, InterruptedException {
        double[][] values = new double[probes.length][runs];
        for (int i = 0; i < runs; i++) {
            for (int p = 0; p < probes.length; p++) {
                values[p][i] = probe(probes[p].classpath(), probes[p].jvm(), probes[p].args())[0];
            }
        }
        double[] medians = new double[probes.length];
        for (int p = 0; p < probes.length; p++) {
            Arrays.sort(values[p]);
            medians[p] = values[p][runs / 2];
        }
        return medians;
    }

    /** The class path with each directory replaced by a jar of it: the JDK's AOT cache accepts only jars. */
    static String jarClasspath(Path work) {
        List<String> entries = new ArrayList<>();
        for (String e : CLASSPATH.split(java.io.File.pathSeparator)) {
            if (Files.isDirectory(Path.of(e))) {
                String jar = work.resolve("classes-" + entries.size() + ".jar").toString();
                int rc = java.util.spi.ToolProvider.findFirst("jar")
                        .orElseThrow()
                        .run(System.out, System.err, "--create", "--file", jar, "-C", e, ".");
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
        String file = work.resolve(String.join("-", args).replaceAll("[^\\w-]", "_") + ".aot")
                .toString();
        probe(jars, List.of("-XX:AOTCacheOutput=" + file), args);
        return List.of("-XX:AOTCache=" + file);
    }

    /** The binding's call next to bare FFM's and C's: what the API adds, and what FFM itself costs over C. */
    static void overhead(StringBuilder md, String what, Double binding, Double bare, Double c) {
        if (binding != null && bare != null) {
            md.append(String.format("- %s vs bare FFM: %.2fx (%.1f vs %.1f ns)", what, binding / bare, binding, bare));
            if (c != null) {
                md.append(String.format("; vs C: %.2fx (%.1f ns); bare FFM vs C: %.2fx", binding / c, c, bare / c));
            }
            md.append('\n');
        }
    }

    private static void ratio(StringBuilder md, String what, Double a, Double b) {
        if (a != null && b != null) {
            md.append(String.format("- %s: %.1fx%n", what, a / b));
        }
    }

    static Map<String, Double> runBaseline(Path binary, Path kernels, long calls)
            throws IOException, InterruptedException {
        Process p = new ProcessBuilder(binary.toString(), kernels.toString(), Long.toString(calls))
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new IllegalStateException("baseline failed: " + out);
        }
        Map<String, Double> m = new LinkedHashMap<>();
        out.lines()
                .map(l -> l.split(" "))
                .filter(a -> a.length == 2)
                .forEach(a -> m.put(a[0], Double.parseDouble(a[1])));
        return m;
    }

    static String cpu() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
                    .filter(l -> l.startsWith("model name"))
                    .findFirst()
                    .map(l -> l.replaceAll(".*:\\s*", ""))
                    .orElse("unknown CPU");
        } catch (IOException e) {
            return "unknown CPU";
        }
    }
}
