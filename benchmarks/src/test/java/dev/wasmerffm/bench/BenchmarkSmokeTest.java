package dev.wasmerffm.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wasmerffm.WasmerLibrary;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A reduced run of every benchmark and of the C baseline, so the benchmark command keeps working. */
class BenchmarkSmokeTest {

    @Test
    void everyBenchmarkRunsAndTheReportHasRatiosToC() throws Exception {
        Path lib = WasmerLibrary.load().getParent();
        Path baseline = Path.of("target", "baseline");
        Process gcc = new ProcessBuilder("gcc", "-O2", "-I" + WasmerLibrary.includeDirectory(), "c/baseline.c",
                "-L" + lib, "-lwasmer", "-Wl,-rpath," + lib, "-o", baseline.toString()).inheritIO().start();
        assertThat(gcc.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(gcc.exitValue()).isZero();
        Path report = Path.of("target", "smoke.md");
        Main.main(new String[] {baseline.toString(), "target/classes/kernels", report.toString(), "smoke"});
        String md = Files.readString(report);
        assertThat(md).contains("| addTyped |", "| hostRoundTrip |", "kernel [backend=cranelift, kernel=sha256]",
                "| writeThenRead1MiB |", "| compileCranelift |", "| deserialize |", "throughput2Threads")
                .containsPattern("\\| addTyped \\|[^\\n]*\\d+\\.\\d\\dx \\|")
                .contains("deserialize vs cranelift compile").contains("10 cached modules")
                .contains("| workload | binding | C | chicory-interpreter | chicory-compiler | graalwasm | wasmtime-java |")
                .containsPattern("\\| kernel sha256 \\| \\d+\\.\\d \\| \\d+\\.\\d \\|( \\d+\\.\\d \\(\\d+\\.\\d\\dx\\) \\|){4}")
                .containsPattern("\\| hostRoundTrip \\|[^\\n]*\\|( \\d+\\.\\d \\(\\d+\\.\\d\\dx\\) \\|){4}")
                .containsPattern("per call, wasmtime-java \\(JNI\\) takes \\d+\\.\\dx the binding's time")
                .containsPattern("kernel fib: the fastest peer is [a-z-]+ at \\d+\\.\\d ns; the binding takes \\d+\\.\\d\\dx")
                .contains("no native binding can match it on trivial calls")
                .containsPattern("cold start [^\\n]*: \\d+\\.\\d ms; with a JDK AOT cache [^\\n]*: \\d+\\.\\d ms "
                        + "[^\\n]*from C take \\d+\\.\\d ms")
                .containsPattern("the same with a JDK AOT cache each: \\d+\\.\\d ms with Wasmer")
                .containsPattern("1 000 live instances: -?\\d+ KiB resident \\(native\\) \\+ -?\\d+ KiB live Java heap"
                        + " = -?\\d+ KiB through the binding, \\d+ KiB from C");
    }
}
