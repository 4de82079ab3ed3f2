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
import java.util.LinkedHashMap;
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
 * the table does not claim. This run's rows are written to target/wasi-testsuite-*.md.
 */
class WasiTestsuiteTest {

    static final Path TABLE = Path.of("..", "docs", "wasi-testsuite.md");
    /** A row of the table: program, the binding's result, Chicory's. */
    static final Pattern ROW =
            Pattern.compile("^\\| `([\\w/.-]+)` \\| (pass|fail) \\| (pass|fail) \\|", Pattern.MULTILINE);
    /** Programs run in parallel, each in its own store; the machines building this have 2 cores. */
    private static final int THREADS = 2;

    @Test
    void theCAndAssemblyScriptProgramsEndAsTheResultsTableSays(@TempDir Path scratch) throws Exception {
        try (Engine engine = new Engine()) {
            check(
                    "c-assemblyscript",
                    List.of("assemblyscript", "c"),
                    2,
                    scratch,
                    (wasm, work) -> run(engine, wasm, work));
        }
    }

    @Test
    void theRustProgramsEndAsTheResultsTableSays(@TempDir Path scratch) throws Exception {
        assumeRustBuilt();
        try (Engine engine = new Engine()) {
            check("rust", List.of("rust"), 2, scratch, (wasm, work) -> run(engine, wasm, work));
        }
    }

    /** The Rust programs are built where cargo and the target can be had; the build says why not otherwise. */
    static void assumeRustBuilt() throws URISyntaxException {
        Path skipped = suite().resolve("rust.skipped");
        assumeTrue(
                Files.isDirectory(suite().resolve("rust")),
                () -> "the Rust programs were not built: "
                        + (Files.exists(skipped) ? read(skipped) : "tools/build-wasi-testsuite-rust.sh did not run"));
    }

    /** Runs one program in scratch directory {@code work}: "pass", or what differed. */
    interface Runtime {
        String run(Path wasm, Path work) throws Exception;
    }

    /**
     * Runs the programs of {@code dirs} and compares each with the table's {@code column} (2: the binding, 3:
     * Chicory); the rows of this run go to target/wasi-testsuite-{@code part}.md.
     */
    static void check(String part, List<String> dirs, int column, Path scratch, Runtime runtime) throws Exception {
        Map<String, String> outcomes = new TreeMap<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(THREADS)) {
            Map<String, Future<String>> running = new TreeMap<>();
            for (String dir : dirs) {
                for (Path wasm : programs(suite().resolve(dir))) {
                    String name = suite().relativize(wasm).toString().replace(".wasm", "");
                    Path work = scratch.resolve(name.replace('/', '-'));
                    running.put(name, pool.submit(() -> runtime.run(wasm, work)));
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
                table.put(row.group(1), row.group(column));
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

    /** The rows of this run, with what differed for a failure. */
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

    /** A program's .json in the suite's legacy form: what to give it and what it must end with (null: any). */
    record Spec(List<String> args, Map<String, String> env, String root, int exitCode, String stdout, String stderr) {

        static Spec of(Path wasm) throws IOException {
            Path json = Path.of(wasm.toString().replace(".wasm", ".json"));
            JsonNode spec = Files.exists(json)
                    ? new ObjectMapper().readTree(json.toFile())
                    : new ObjectMapper().createObjectNode();
            List<String> args = new ArrayList<>();
            spec.path("args").forEach(a -> args.add(a.asString()));
            Map<String, String> env = new LinkedHashMap<>();
            spec.path("env")
                    .properties()
                    .forEach(e -> env.put(e.getKey(), e.getValue().asString()));
            return new Spec(
                    args,
                    env,
                    spec.has("root") ? spec.get("root").asString() : null,
                    spec.path("exit_code").asInt(0),
                    spec.has("stdout") ? spec.get("stdout").asString() : null,
                    spec.has("stderr") ? spec.get("stderr").asString() : null);
        }

        /** The program's root directory copied to {@code work} (it writes there), or null when it has none. */
        Path root(Path wasm, Path work) throws IOException {
            if (root == null) {
                return null;
            }
            copyTree(wasm.resolveSibling(root), work);
            return work;
        }

        /** "pass", or what differed. */
        String verdict(int exit, String out, String err) {
            List<String> wrong = new ArrayList<>();
            if (exit != exitCode) {
                wrong.add("exit code " + exit);
            }
            if (stdout != null && !out.equals(stdout)) {
                wrong.add("stdout [" + out + "]");
            }
            if (stderr != null && !err.equals(stderr)) {
                wrong.add("stderr [" + err + "]");
            }
            return wrong.isEmpty() ? "pass" : String.join(", ", wrong) + " (stderr " + err.strip() + ")";
        }
    }

    /** Runs a program through the binding's public API: "pass", or what differed. */
    static String run(Engine engine, Path wasm, Path work) throws IOException {
        Spec spec = Spec.of(wasm);
        WasiConfig config = new WasiConfig(wasm.getFileName().toString());
        config.args(spec.args().toArray(String[]::new));
        spec.env().forEach(config::env);
        Path root = spec.root(wasm, work);
        if (root != null) {
            config.mapDir("/", root);
        }
        try (Module module = Module.compile(engine, Files.readAllBytes(wasm));
                Store store = new Store(engine);
                WasiEnv wasi = WasiEnv.create(store, config)) {
            try {
                WasiExit exit = wasi.run(module);
                return spec.verdict(exit.exitCode(), exit.stdoutText(), exit.stderrText());
            } catch (TrapException e) { // a failed assertion aborts; what it printed says why
                return "trap (stderr " + new String(wasi.stderr(), StandardCharsets.UTF_8).strip() + ")";
            }
        }
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
