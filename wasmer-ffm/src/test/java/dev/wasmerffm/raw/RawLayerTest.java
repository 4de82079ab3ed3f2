package dev.wasmerffm.raw;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wasmerffm.WasmerLibrary;
import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The raw layer is complete against the loaded library and identical to what the headers generate. */
class RawLayerTest {

    static final Path GEN = Path.of("src/gen");
    static final List<String> PREFIXES = List.of("wasm_", "wasmer_", "wasi_", "wat2wasm");

    static String run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(String.join(" ", command) + "\n" + out).isZero();
        return out;
    }

    static Set<String> exportedSymbols() throws Exception {
        String nm = run("nm", "-D", "--defined-only", WasmerLibrary.load().toString());
        return nm.lines().map(l -> l.substring(l.lastIndexOf(' ') + 1))
                .filter(s -> PREFIXES.stream().anyMatch(s::startsWith)).collect(Collectors.toCollection(TreeSet::new));
    }

    static Map<String, String> exclusions() throws IOException {
        Map<String, String> out = new LinkedHashMap<>();
        for (String line : Files.readAllLines(GEN.resolve("exclusions.txt"))) {
            if (!line.isBlank() && !line.startsWith("#")) {
                String[] parts = line.split("\t", 2);
                out.put(parts[0].trim(), parts.length > 1 ? parts[1].trim() : "");
            }
        }
        return out;
    }

    static boolean matches(String pattern, String symbol) {
        return pattern.endsWith("*") ? symbol.startsWith(pattern.substring(0, pattern.length() - 1))
                : symbol.equals(pattern);
    }

    static Set<String> bound() {
        return java.util.stream.Stream.of(LibWasm.class, LibWasmer.class, LibWasi.class)
                .flatMap(c -> Arrays.stream(c.getDeclaredMethods()))
                .filter(m -> Modifier.isPublic(m.getModifiers()) && Modifier.isStatic(m.getModifiers()))
                .map(Method::getName).collect(Collectors.toCollection(TreeSet::new));
    }

    @Test
    void everyExportedSymbolIsBoundOrExcludedWithAReason() throws Exception {
        Set<String> exported = exportedSymbols();
        Map<String, String> exclusions = exclusions();
        Set<String> bound = bound();
        Set<String> unbound = new TreeSet<>(exported);
        unbound.removeAll(bound);
        unbound.removeIf(s -> exclusions.keySet().stream().anyMatch(p -> matches(p, s)));
        assertThat(unbound).as("exported but neither bound nor excluded").isEmpty();
        assertThat(exclusions).allSatisfy((pattern, reason) -> {
            assertThat(reason).as("reason for " + pattern).isNotBlank();
            assertThat(exported).as("stale exclusion " + pattern).anyMatch(s -> matches(pattern, s));
            assertThat(bound).as("excluded yet bound: " + pattern).noneMatch(s -> matches(pattern, s));
        });
        assertThat(exported).as("every bound function is really exported").containsAll(bound);
    }

    @Test
    void generatedSourcesMatchTheHeadersOfThisLibrary() throws Exception {
        run("python3", GEN.resolve("generate_raw.py").toString(), WasmerLibrary.includeDirectory().toString(),
                WasmerLibrary.load().toString(), "src/main/java", "--check");
    }

    @Test
    void structLayoutsMatchTheCApi() {
        assertThat(Layouts.VAL.byteSize()).isEqualTo(16);
        assertThat(Layouts.VAL.byteOffset(java.lang.foreign.MemoryLayout.PathElement.groupElement("of")))
                .isEqualTo(Layouts.VAL_PAYLOAD);
        assertThat(Layouts.VEC.byteSize()).isEqualTo(16);
        assertThat(Layouts.LIMITS.byteSize()).isEqualTo(8);
    }
}
