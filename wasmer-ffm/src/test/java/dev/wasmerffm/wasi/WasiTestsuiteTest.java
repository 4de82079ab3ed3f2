package dev.wasmerffm.wasi;

import static org.assertj.core.api.Assertions.assertThat;

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
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * The official WASI testsuite (src/test/resources/wasi-testsuite: WebAssembly/wasi-testsuite's prebuilt C and
 * AssemblyScript wasm32-wasip1 programs), each run through the public API as the suite's specification says: the
 * .json's args and env and nothing else, its {@code root} directory copied to a scratch directory (the programs
 * write files) and mapped as "/", then exit code, stdout and stderr compared. docs/wasi-testsuite.md lists each
 * program's result; any difference fails, so a regression shows and so does a pass the table does not claim.
 */
class WasiTestsuiteTest {

    static final Path TABLE = Path.of("..", "docs", "wasi-testsuite.md");
    static final Pattern ROW = Pattern.compile("^\\| `([\\w/.-]+)` \\| (pass|fail) \\|", Pattern.MULTILINE);

    @Test
    void everyProgramEndsAsTheResultsTableSays(@TempDir Path scratch) throws Exception {
        Map<String, String> outcomes = new TreeMap<>();
        try (Engine engine = new Engine()) {
            for (Path wasm : programs()) {
                String name = suite().relativize(wasm).toString().replace(".wasm", "");
                outcomes.put(name, run(engine, wasm, scratch.resolve(name.replace('/', '-'))));
            }
        }
        Map<String, String> table = new TreeMap<>();
        Matcher row = ROW.matcher(Files.readString(TABLE));
        while (row.find()) {
            table.put(row.group(1), row.group(2));
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
        assertThat(outcomes.values().stream().filter("pass"::equals).count())
                .isEqualTo(table.values().stream().filter("pass"::equals).count());
    }

    static Path suite() throws URISyntaxException {
        return Path.of(WasiTestsuiteTest.class.getResource("/wasi-testsuite").toURI());
    }

    static List<Path> programs() throws IOException, URISyntaxException {
        try (Stream<Path> files = Files.walk(suite())) {
            return files.filter(p -> p.toString().endsWith(".wasm")).sorted().toList();
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
