package dev.wasmerffm.wasi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.wasmerffm.Engine;
import dev.wasmerffm.Module;
import dev.wasmerffm.Store;
import dev.wasmerffm.TrapException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * The official WASI testsuite, wasm32-wasip1: WebAssembly/wasi-testsuite's prebuilt C and AssemblyScript programs
 * (src/test/resources/wasi-testsuite) and its Rust programs, built from their sources by the build
 * (src/test/wasi-testsuite-rust, tools/build-wasi-testsuite-rust.sh). Each runs through the public API as the
 * suite's specification says: the .json's args and env and nothing else, its {@code root} directory copied to a
 * scratch directory (the programs write files) and mapped as "/", then exit code, stdout and stderr compared.
 * docs/wasi-testsuite.md lists each program's result; any difference fails, so a regression shows and so does a pass
 * the table does not claim. This run's table is written to target/wasi-testsuite-*.md.
 */
class WasiTestsuiteTest {

    static final Path TABLE = Path.of("..", "docs", "wasi-testsuite.md");
    static final Pattern ROW = Pattern.compile("^\\| `([\\w/.-]+)` \\| (pass|fail) \\|", Pattern.MULTILINE);
    /** Programs run in parallel, each in its own store; the machines building this have 2 cores. */
    private static final int THREADS = 2;

    @Test
    void theCAndAssemblyScriptProgramsEndAsTheResultsTableSays(@TempDir Path scratch) throws Exception {
        check("c-assemblyscript", List.of("assemblyscript", "c"), scratch);
    }

    @Test
    void theRustProgramsEndAsTheResultsTableSays(@TempDir Path scratch) throws Exception {
        Path skipped = suite().resolve("rust.skipped");
        assumeTrue(
                Files.isDirectory(suite().resolve("rust")),
                () -> "the Rust programs were not built: "
                        + (Files.exists(skipped) ? read(skipped) : "tools/build-wasi-testsuite-rust.sh did not run"));
        check("rust", List.of("rust"), scratch);
    }

    /** Runs the programs of {@code dirs} and compares each with its row of the table. */
    private static void check(String part, List<String> dirs, Path scratch) throws Exception {
        Map<String, String> outcomes = new TreeMap<>();
        try (Engine engine = new Engine();
                ExecutorService pool = Executors.newFixedThreadPool(THREADS)) {
            Map<String, Future<String>> running = new TreeMap<>();
            for (String dir : dirs) {
                for (Path wasm : programs(suite().resolve(dir))) {
                    String name = suite().relativize(wasm).toString().replace(".wasm", "");
                    Path work = scratch.resolve(name.replace('/', '-'));
                    running.put(name, pool.submit(() -> run(engine, wasm, work)));
                }
            }
            for (Map.Entry<String, Future<String>> e : running.entrySet()) {
                outcomes.put(e.getKey(), e.getValue().get());
            }
        }
        Files.writeString(Path.of("target", "wasi-testsuite-" + part + ".md"), report(outcomes));
        Map<String, String> table = new TreeMap<>();
        Matcher row = ROW.matcher(Files.readString(TABLE));
        while (row.find()) {
            if (dirs.contains(row.group(1).substring(0, row.group(1).indexOf('/')))) {
                table.put(row.group(1), row.group(2));
            }
        }
        assertThat(table.keySet())
                .as("programs listed in %s; ran: %s", TABLE, outcomes)
                .isEqualTo(outcomes.keySet());
        List<String> differing = new ArrayList<>();
        outcomes.forEach((name, outcome) -> {
            if (outcome.equals("pass") != table.get(name).equals("pass")) {
                differing.add(name + ": table says " + table.get(name) + ", ran: " + outcome);
            }
        });
        assertThat(differing).as("programs whose result differs from " + TABLE).isEmpty();
    }

    /** The rows of this run, as the committed table has them, with what differed for a failure. */
    private static String report(Map<String, String> outcomes) {
        StringBuilder sb = new StringBuilder();
        outcomes.forEach((name, outcome) -> sb.append("| `")
                .append(name)
                .append("` | ")
                .append(outcome.equals("pass") ? "pass |" : "fail | " + outcome.replace('\n', ' ') + " |")
                .append('\n'));
        return sb.toString();
    }

    static Path suite() throws URISyntaxException {
        return Path.of(WasiTestsuiteTest.class.getResource("/wasi-testsuite").toURI());
    }

    static List<Path> programs(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(p -> p.toString().endsWith(".wasm")).sorted().toList();
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file).strip();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** "pass", or what differed. */
    static String run(Engine engine, Path wasm, Path scratch) throws IOException {
        Path json = Path.of(wasm.toString().replace(".wasm", ".json"));
        JsonNode spec =
                Files.exists(json) ? new ObjectMapper().readTree(json.toFile()) : new ObjectMapper().createObjectNode();
        WasiConfig config = new WasiConfig(wasm.getFileName().toString());
        spec.path("args").forEach(a -> config.args(a.asString()));
        spec.path("env")
                .properties()
                .forEach(e -> config.env(e.getKey(), e.getValue().asString()));
        if (spec.has("root")) {
            copyTree(wasm.resolveSibling(spec.get("root").asString()), scratch);
            config.mapDir("/", scratch);
        }
        WasiExit exit;
        try (Module module = Module.compile(engine, Files.readAllBytes(wasm));
                Store store = new Store(engine);
                WasiEnv wasi = WasiEnv.create(store, config)) {
            try {
                exit = wasi.run(module);
            } catch (TrapException e) { // a failed assertion aborts; what it printed says why
                return "trap (stderr " + new String(wasi.stderr(), StandardCharsets.UTF_8).strip() + ")";
            }
        }
        List<String> wrong = new ArrayList<>();
        if (exit.exitCode() != spec.path("exit_code").asInt(0)) {
            wrong.add("exit code " + exit.exitCode());
        }
        if (spec.has("stdout") && !exit.stdoutText().equals(spec.get("stdout").asString())) {
            wrong.add("stdout [" + exit.stdoutText() + "]");
        }
        if (spec.has("stderr") && !exit.stderrText().equals(spec.get("stderr").asString())) {
            wrong.add("stderr [" + exit.stderrText() + "]");
        }
        return wrong.isEmpty()
                ? "pass"
                : String.join(", ", wrong) + " (stderr " + exit.stderrText().strip() + ")";
    }

    static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            files.forEach(p -> {
                try {
                    Files.copy(p, to.resolve(from.relativize(p).toString()));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }
}
