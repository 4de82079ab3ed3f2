package dev.wasmerffm.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The starter's startup in alternating runs: rounds of fresh JVMs running {@link Probes}' {@code starter} probe with
 * Wasmer off, on (modules from the disk cache), on with the background preload off ({@code serial}), and on with
 * the disk cache off ({@code compile}), and off and on again with a JDK AOT cache of their own; the variants of a
 * round in a rotating order, so that load drifting over the series weighs on all alike. Reported: each run's wall
 * and CPU time, and the medians and quartiles of the differences within a round.
 *
 * <p>Usage: {@code StartupSeries ROUNDS REPORT [LOCATION]}: LOCATION adds modules (a Spring resource pattern) to the
 * 8 small ones.
 */
public final class StartupSeries {

    private static final String[] VARIANTS = {"off", "on", "serial", "compile", "off", "on"};

    /** The variants run with a JDK AOT cache of their own (the last two). */
    private static final int AOT = 4;

    private StartupSeries() {}

    public static void main(String[] args) throws Exception {
        int rounds = Integer.parseInt(args[0]);
        Path report = Path.of(args[1]);
        String location = args.length > 2 ? args[2] : null;
        Path cache = Files.createTempDirectory("wasmer-startup-cache");
        List<String> fill = new ArrayList<>(List.of("starter", cache.toString(), "on"));
        if (location != null) {
            fill.add(location);
        }
        Main.probe(Main.CLASSPATH, List.of(), fill.toArray(String[]::new)); // fills the disk cache
        Path work = Files.createTempDirectory("wasmer-startup-aot");
        String jars = Main.jarClasspath(work);
        List<List<String>> jvm = new ArrayList<>();
        for (int v = 0; v < VARIANTS.length; v++) {
            List<String> training = new ArrayList<>(fill);
            training.set(2, VARIANTS[v]);
            jvm.add(v < AOT ? List.of() : Main.trainAot(work, jars, training.toArray(String[]::new)));
        }
        String loadBefore = Main.loadAverage();
        double[][] wall = new double[VARIANTS.length][rounds];
        double[][] cpu = new double[VARIANTS.length][rounds];
        double[][] engineBean = new double[VARIANTS.length][rounds];
        for (int r = 0; r < rounds; r++) {
            for (int k = 0; k < VARIANTS.length; k++) {
                int v = (r + k) % VARIANTS.length;
                List<String> probe = new ArrayList<>(List.of("starter", cache.toString(), VARIANTS[v]));
                if (location != null) {
                    probe.add(location);
                }
                double[] m = Main.probe(v < AOT ? Main.CLASSPATH : jars, jvm.get(v), probe.toArray(String[]::new));
                wall[v][r] = m[0];
                cpu[v][r] = m[1];
                engineBean[v][r] = m[2];
            }
            System.out.printf("round %d of %d%n", r + 1, rounds);
        }
        StringBuilder md = new StringBuilder();
        md.append("# Starter startup, alternating runs (")
                .append(LocalDate.now())
                .append(")\n\n")
                .append("`StartupSeries ")
                .append(String.join(" ", args))
                .append("`: a Spring context without a web")
                .append(" server and the 8 small modules of `startup-wasm/`")
                .append(location == null ? "" : " and `" + location + "`")
                .append(", a fresh JVM per run, ")
                .append(rounds)
                .append(" rounds of the four variants in a rotating")
                .append(" order. Wall: ms from `main` to the context's start; CPU: ms of all the JVM's threads until")
                .append(" then; engine bean: ms the main thread spent making `wasmerEngine` (Spring's startup steps),")
                .append(" which loads libwasmer unless the background load has. Load average before / after: ")
                .append(loadBefore)
                .append(" / ")
                .append(Main.loadAverage())
                .append(".\n\n")
                .append("- off: `wasmer.enabled=false`\n")
                .append("- on: the modules from the disk cache, libwasmer loaded in the background\n")
                .append("- serial: as on, with `-Dspring.backgroundpreinitializer.ignore=true` (no background load)\n")
                .append("- compile: as on, with `wasmer.cache.enabled=false` (every module compiled)\n")
                .append("- off AOT, on AOT: off and on with a JDK AOT cache each (`-XX:AOTCache`, made by one training")
                .append(" run of the same variant; the class path as jars)\n\n")
                .append(
                        "| round | off wall | on wall | serial wall | compile wall | off AOT wall | on AOT wall | off CPU |")
                .append(" on CPU | serial CPU | compile CPU | off AOT CPU | on AOT CPU |\n")
                .append("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (int r = 0; r < rounds; r++) {
            md.append("| ").append(r + 1);
            for (double[][] figure : new double[][][] {wall, cpu}) {
                for (double[] variant : figure) {
                    md.append(" | ").append(String.format("%.0f", variant[r]));
                }
            }
            md.append(" |\n");
        }
        md.append("\nMedians of the differences within a round (quartiles in brackets), ms:\n\n")
                .append("| difference | wall | CPU |\n|---|---:|---:|\n");
        difference(md, "on - off: what the starter adds", wall, cpu, 1, 0);
        difference(md, "serial - off: what it added without the background load", wall, cpu, 2, 0);
        difference(md, "serial - on: what the background load saves", wall, cpu, 2, 1);
        difference(md, "compile - on: what the disk cache saves", wall, cpu, 3, 1);
        difference(md, "on AOT - off AOT: what the starter adds, both with an AOT cache", wall, cpu, 5, 4);
        difference(md, "on - on AOT: what an AOT cache saves the starter's app", wall, cpu, 1, 5);
        md.append("\nThe main thread in the `wasmerEngine` bean, medians (quartiles), ms: on ")
                .append(quartiles(engineBean[1], new double[rounds]))
                .append(", serial ")
                .append(quartiles(engineBean[2], new double[rounds]))
                .append(", compile ")
                .append(quartiles(engineBean[3], new double[rounds]))
                .append(".\n");
        Files.createDirectories(report.toAbsolutePath().getParent());
        Files.writeString(report, md);
        System.out.println(md);
    }

    private static void difference(StringBuilder md, String what, double[][] wall, double[][] cpu, int a, int b) {
        md.append("| ")
                .append(what)
                .append(" | ")
                .append(quartiles(wall[a], wall[b]))
                .append(" | ")
                .append(quartiles(cpu[a], cpu[b]))
                .append(" |\n");
    }

    private static String quartiles(double[] a, double[] b) {
        double[] d = new double[a.length];
        Arrays.setAll(d, i -> a[i] - b[i]);
        Arrays.sort(d);
        return String.format("%+.0f [%+.0f, %+.0f]", d[d.length / 2], d[d.length / 4], d[d.length * 3 / 4]);
    }
}
