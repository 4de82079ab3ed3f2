package dev.wasmerffm.wasi;

import com.dylibso.chicory.runtime.ImportValues;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.wasi.WasiExitException;
import com.dylibso.chicory.wasi.WasiOptions;
import com.dylibso.chicory.wasi.WasiPreview1;
import com.dylibso.chicory.wasm.ChicoryException;
import com.dylibso.chicory.wasm.Parser;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * The same programs, read by the same runner ({@link WasiTestsuiteTest.Spec}), run by Chicory 1.7.5's WASI preview 1
 * (pure Java, interpreted), for the comparison in docs/wasi-testsuite.md: its "Chicory 1.7.5" column must match.
 * Run with {@code -Pwasi-chicory} (about 20 s more; not a check of the binding).
 */
@EnabledIfSystemProperty(named = "wasmer.wasi.chicory", matches = "true")
class WasiTestsuiteChicoryTest {

    @Test
    void chicoryEndsAsTheResultsTableSays(@TempDir Path scratch) throws Exception {
        WasiTestsuiteTest.assumeRustBuilt();
        WasiTestsuiteTest.check(
                "chicory", List.of("assemblyscript", "c", "rust"), 3, scratch, WasiTestsuiteChicoryTest::run);
    }

    static String run(Path wasm, Path work) throws Exception {
        WasiTestsuiteTest.Spec spec = WasiTestsuiteTest.Spec.of(wasm);
        List<String> args = new ArrayList<>(List.of(wasm.getFileName().toString()));
        args.addAll(spec.args());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        WasiOptions.Builder options = WasiOptions.builder()
                .withArguments(args)
                .withStdin(new ByteArrayInputStream(new byte[0]))
                .withStdout(out)
                .withStderr(err);
        spec.env().forEach(options::withEnvironment);
        Path root = spec.root(wasm, work);
        if (root != null) {
            options.withDirectory("/", root);
        }
        try (WasiPreview1 wasi =
                WasiPreview1.builder().withOptions(options.build()).build()) {
            Instance instance = Instance.builder(Parser.parse(Files.readAllBytes(wasm)))
                    .withImportValues(ImportValues.builder()
                            .addFunction(wasi.toHostFunctions())
                            .build())
                    .withStart(false)
                    .build();
            int code = 0;
            try {
                instance.export("_start").apply();
            } catch (WasiExitException e) {
                code = e.exitCode();
            } catch (ChicoryException e) { // a failed assertion aborts; what it printed says why
                return "trap (stderr " + err.toString(StandardCharsets.UTF_8).strip() + ")";
            }
            return spec.verdict(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        }
    }
}
