package dev.wasmerffm.raw;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wasmerffm.ChildJvm;
import dev.wasmerffm.WasmerLibrary;
import dev.wasmerffm.internal.Layouts;
import dev.wasmerffm.internal.Loader;
import java.io.IOException;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The raw layer is complete against the loaded library and identical to what the headers generate. */
class RawLayerTest {

    static final Path GEN = Path.of("src/gen");
    static final List<String> PREFIXES = List.of("wasm_", "wasmer_", "wasi_", "wat2wasm");

    static String run(String... command) throws IOException, InterruptedException {
        return ChildJvm.exec(new ProcessBuilder(command), Duration.ofSeconds(120))
                .ok();
    }

    static Set<String> exportedSymbols() throws Exception {
        String nm = run("nm", "-D", "--defined-only", WasmerLibrary.load().toString());
        return nm.lines()
                .map(l -> l.substring(l.lastIndexOf(' ') + 1))
                .filter(s -> PREFIXES.stream().anyMatch(s::startsWith))
                .collect(Collectors.toCollection(TreeSet::new));
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
        return pattern.endsWith("*")
                ? symbol.startsWith(pattern.substring(0, pattern.length() - 1))
                : symbol.equals(pattern);
    }

    static Set<String> bound() {
        return java.util.stream.Stream.of(LibWasm.class, LibWasmer.class, LibWasi.class)
                .flatMap(c -> Arrays.stream(c.getDeclaredMethods()))
                .filter(m -> Modifier.isPublic(m.getModifiers()) && Modifier.isStatic(m.getModifiers()))
                .map(Method::getName)
                .collect(Collectors.toCollection(TreeSet::new));
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
        run(
                "python3",
                GEN.resolve("generate_raw.py").toString(),
                Loader.includeDirectory().toString(),
                WasmerLibrary.load().toString(),
                "src/main/java",
                "--check");
    }

    /**
     * Every named member of every struct layout, at the offset and size the C compiler gives it from the real
     * headers, and each hand-kept constant equal to its layout or macro: a header change cannot slip by.
     */
    @Test
    void structLayoutsMatchTheCCompilerOnTheRealHeaders(@TempDir Path tmp) throws Exception {
        Map<String, StructLayout> structs = Map.of(
                "wasm_byte_vec_t",
                Layouts.VEC,
                "wasm_val_vec_t",
                Layouts.VEC,
                "wasm_val_t",
                Layouts.VAL,
                "wasm_limits_t",
                Layouts.LIMITS);
        StringBuilder c = new StringBuilder(
                "#include <stdio.h>\n#include <stddef.h>\n#include \"wasmer.h\"\n" + "int main(void) {\n");
        Map<String, Long> expected = new TreeMap<>();
        structs.forEach((type, layout) -> {
            c.append("printf(\"%s %zu\\n\", \"")
                    .append(type)
                    .append("\", sizeof(")
                    .append(type)
                    .append("));\n");
            expected.put(type, layout.byteSize());
            for (MemoryLayout m : layout.memberLayouts()) {
                m.name().ifPresent(name -> {
                    String key = type + "." + name;
                    c.append("printf(\"%s %zu\\n\", \"")
                            .append(key)
                            .append("\", offsetof(")
                            .append(type)
                            .append(", ")
                            .append(name)
                            .append("));\n");
                    expected.put(key, layout.byteOffset(MemoryLayout.PathElement.groupElement(name)));
                    c.append("printf(\"%s %zu\\n\", \"")
                            .append(key)
                            .append(".size\", sizeof(((")
                            .append(type)
                            .append("*)0)->")
                            .append(name)
                            .append("));\n");
                    expected.put(key + ".size", m.byteSize());
                });
            }
        });
        for (MemoryLayout m : Layouts.VAL_OF.memberLayouts()) {
            String name = m.name().orElseThrow();
            c.append("printf(\"%s %zu\\n\", \"of.")
                    .append(name)
                    .append("\", sizeof(((wasm_val_t*)0)->of.")
                    .append(name)
                    .append("));\n");
            expected.put("of." + name, m.byteSize());
        }
        c.append("printf(\"max %u\\n\", (unsigned) wasm_limits_max_default);\nreturn 0;\n}\n");
        expected.put("max", Integer.toUnsignedLong(Layouts.LIMITS_MAX_DEFAULT));
        Path src = Files.writeString(tmp.resolve("layouts.c"), c);
        Path exe = tmp.resolve("layouts");
        run("gcc", "-I" + Loader.includeDirectory(), src.toString(), "-o", exe.toString());
        Map<String, Long> actual = new TreeMap<>();
        run(exe.toString()).lines().map(l -> l.split(" ")).forEach(kv -> actual.put(kv[0], Long.parseLong(kv[1])));
        assertThat(actual).isEqualTo(expected);
        // the hand-kept offsets the binding reads with
        assertThat(Layouts.VEC_SIZE).isEqualTo(actual.get("wasm_byte_vec_t.size"));
        assertThat(Layouts.VEC_DATA).isEqualTo(actual.get("wasm_byte_vec_t.data"));
        assertThat(Layouts.VAL_KIND).isEqualTo(actual.get("wasm_val_t.kind"));
        assertThat(Layouts.VAL_PAYLOAD).isEqualTo(actual.get("wasm_val_t.of"));
    }
}
