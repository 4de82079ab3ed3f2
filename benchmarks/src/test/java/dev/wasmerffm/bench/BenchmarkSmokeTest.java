package dev.wasmerffm.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wasmerffm.WasmerLibrary;
import dev.wasmerffm.internal.Loader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A reduced run of every benchmark and of the C baseline, so the benchmark command keeps working. */
class BenchmarkSmokeTest {

    @Test
    void everyBenchmarkRunsAndTheReportHasRatiosToC() throws Exception {
        Path lib = WasmerLibrary.load().getParent();
        Path baseline = Path.of("target", "baseline");
        Process gcc = new ProcessBuilder(
                        "gcc",
                        "-O2",
                        "-pthread",
                        "-I" + Loader.includeDirectory(),
                        "c/baseline.c",
                        "-L" + lib,
                        "-lwasmer",
                        "-Wl,-rpath," + lib,
                        "-o",
                        baseline.toString())
                .inheritIO()
                .start();
        assertThat(gcc.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(gcc.exitValue()).isZero();
        Path report = Path.of("target", "smoke.md");
        Main.main(new String[] {baseline.toString(), "target/classes/kernels", report.toString(), "smoke"});
        String md = Files.readString(report);
        assertThat(md)
                .contains(
                        "| addTyped |",
                        "| hostRoundTrip |",
                        "kernel [backend=cranelift, kernel=sha256]",
                        "| writeThenRead1MiB |",
                        "| compileCranelift |",
                        "| deserialize |",
                        "throughput2Threads",
                        "| interfaceCall [timing=off] |")
                .containsPattern("\\| addTyped \\|[^\\n]*\\d+\\.\\d\\dx \\|")
                .contains("deserialize vs cranelift compile")
                .contains("8 cached modules")
                .contains("| workload | binding | C | chicory-compiler | chicory-interpreter | graal-wasm |"
                        + " wasmtime-java |")
                .containsPattern("from Chicory \\d[.\\d]+, GraalWasm \\d[.\\d]+, wasmtime-java \\d[.\\d]+ ")
                .contains("GraalWasm runs on Truffle's optimizing runtime, the Graal JIT through JVMCI")
                .containsPattern("add: wasmtime-java \\(JNI\\) takes \\d+\\.\\d ns, the binding \\d+\\.\\d ns:"
                        + " \\d+\\.\\dx faster \\(goal >= 30x: (met|missed)\\)")
                .containsPattern("hostRoundTrip: wasmtime-java \\(JNI\\) takes \\d+\\.\\d ns")
                .containsPattern("its add takes \\d+\\.\\d ns and crosses no native boundary, while the binding takes"
                        + " \\d+\\.\\d ns and C itself \\d+\\.\\d ns");
        // every workload has the binding, C and all four peers, with ratios; every kernel has its goal line
        String cell = "\\d+\\.\\d \\(\\d+\\.\\d+x\\)";
        for (String workload : List.of(
                "add",
                "hostRoundTrip",
                "writeThenRead1MiB",
                "kernel fib",
                "kernel loop",
                "kernel sieve",
                "kernel sha256")) {
            assertThat(md).containsPattern("\\| " + workload + " \\| \\d+\\.\\d \\|( " + cell + " \\|){5}\\n");
        }
        for (String kernel : List.of("fib", "loop", "sieve", "sha256")) {
            assertThat(md)
                    .containsPattern("kernel " + kernel + ": the fastest peer is [a-z-]+ at \\d+\\.\\d ns; the"
                            + " binding \\(cranelift\\) takes \\d+\\.\\d\\dx that \\(goal <= 1.2x: (met|missed)\\);"
                            + " (C on the same libwasmer \\d+\\.\\d\\dx"
                            + "|libwasmer itself is slower here: C takes \\d+\\.\\d ns)");
        }
        for (String call : List.of("add \\(typed\\)", "host round trip")) {
            assertThat(md)
                    .containsPattern("- " + call + " vs bare FFM: \\d+\\.\\d\\dx \\(\\d+\\.\\d vs \\d+\\.\\d ns\\);"
                            + " vs C: \\d+\\.\\d\\dx \\(\\d+\\.\\d ns\\); bare FFM vs C: \\d+\\.\\d\\dx\\n");
        }
        assertThat(md)
                .contains("| hostRoundTripBareFfm |")
                .containsPattern("add on 2 threads vs 1, each thread with a"
                        + " store of its own \\(the floor under the pool's\\): C \\d+\\.\\d\\dx, bare FFM \\d+\\.\\d\\dx,"
                        + " typed binding \\d+\\.\\d\\dx")
                .containsPattern(
                        "pool on 2 threads vs 1 in one JVM, alternating 50 ms windows \\(median of 2 pairs,"
                                + " quartiles \\d+\\.\\d\\d-\\d+\\.\\d\\dx; the load cancels out of each pair\\): \\d+\\.\\d\\dx");
        assertThat(md)
                .containsPattern("a deadline adds -?\\d+\\.\\d ns and \\d+ B to a call")
                .containsPattern("a call from a virtual thread \\(typed add, run on a platform thread and back\\):"
                        + " \\d+ ns, -?\\d+ ns more than from a platform thread")
                .containsPattern("the watchdog's CPU while a call runs past a deadline it cannot stop: \\d+\\.\\d\\d ms"
                        + " per second for a guest sleeping in libwasmer, \\d+\\.\\d\\d ms per second for a host"
                        + " function ignoring its interrupt")
                .containsPattern("kernel sha256: compiled for deadlines \\(metered\\) vs not, cranelift \\(time\\):"
                        + " \\d+\\.\\dx")
                .containsPattern("load average when the JMH runs ended \\d");
        for (String stopped : Main.STOPS.values()) {
            assertThat(md)
                    .containsPattern(java.util.regex.Pattern.quote(stopped)
                            + ", with a 1 ms deadline, stops -?\\d+\\.\\d\\d ms late at the median, -?\\d+\\.\\d\\d ms"
                            + " at p99 \\(\\d+ rounds");
        }
        assertThat(md)
                .containsPattern("cold start [^\\n]*: \\d+\\.\\d ms; with a JDK AOT cache [^\\n]*: \\d+\\.\\d ms "
                        + "[^\\n]*from C take \\d+\\.\\d ms")
                .containsPattern("the same with a JDK AOT cache each: \\d+\\.\\d ms with Wasmer")
                .containsPattern("1 000 live instances: -?\\d+ KiB resident \\(native\\) \\+ -?\\d+ KiB live Java heap"
                        + " = -?\\d+ KiB through the binding, \\d+ KiB from C");
    }
}
