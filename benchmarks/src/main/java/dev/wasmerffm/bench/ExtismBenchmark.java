package dev.wasmerffm.bench;

import dev.wasmerffm.extism.CompiledPlugin;
import dev.wasmerffm.extism.Plugin;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Extism plugins (wasmer-ffm/src/test/extism, built with the Go and Rust PDKs) through {@code Plugin}: an echo of
 * 0 B to 1 MiB and a JSON-in/JSON-out call, per call. Compare with {@link CallBenchmark#addTyped} (one
 * crossing, the floor) and with Extism's own runtime timing the same plugins (benchmarks/extism/bench_extism.py).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class ExtismBenchmark {

    /** Compiled once per JVM: the Go plugin takes seconds to compile. */
    private static final Map<String, CompiledPlugin> COMPILED = new ConcurrentHashMap<>();

    @Param({"rust-plugin", "go-plugin"})
    String plugin;

    /** An echo of that many bytes, or greet_json: {"name":"Ada","age":36} -> {"message":"Hello, Ada!","nextAge":37}. */
    @Param({"echo 0", "echo 1024", "echo 65536", "echo 1048576", "greet_json"})
    String call;

    Plugin p;
    String function;
    byte[] input;
    byte[] expected;

    @Setup(Level.Trial)
    public void setUp() {
        p = compiled(plugin).instantiate();
        String[] c = call.split(" ");
        function = c[0];
        if (function.equals("echo")) {
            input = new byte[Integer.parseInt(c[1])];
            new java.util.Random(input.length).nextBytes(input);
            expected = input;
        } else {
            input = "{\"name\":\"Ada\",\"age\":36}".getBytes(StandardCharsets.UTF_8);
            expected = "{\"message\":\"Hello, Ada!\",\"nextAge\":37}".getBytes(StandardCharsets.UTF_8);
        }
        if (!java.util.Arrays.equals(p.call(function, input), expected)) {
            throw new IllegalStateException(plugin + " answered " + call + " wrongly");
        }
    }

    static CompiledPlugin compiled(String name) {
        return COMPILED.computeIfAbsent(name, n -> {
            try {
                Path file = Path.of(ExtismBenchmark.class
                        .getResource("/extism/" + n + ".wasm")
                        .toURI());
                if (!Files.isRegularFile(file)) {
                    throw new IllegalStateException(n + ".wasm was not built (Go or the Rust target missing?)");
                }
                return Plugin.builder()
                        .wasm(file)
                        .hostFunction("shout", in -> in)
                        .compile();
            } catch (URISyntaxException | NullPointerException e) {
                throw new IllegalStateException(n + ".wasm is not on the classpath: build benchmarks first", e);
            }
        });
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        p.close();
    }

    @Benchmark
    public byte[] call() {
        return p.call(function, input);
    }
}
