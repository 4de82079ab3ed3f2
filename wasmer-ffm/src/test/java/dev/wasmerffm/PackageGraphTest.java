package dev.wasmerffm;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.spi.ToolProvider;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The package graph of wasmer-ffm/README.md, read from the compiled classes by jdeps. */
class PackageGraphTest {

    private static final String P = "dev.wasmerffm";

    /** Each package's allowed imports among the binding's packages: the README's tree, edge for edge. */
    private static final Map<String, Set<String>> ALLOWED = Map.ofEntries(
            Map.entry(
                    P,
                    Set.of(
                            P + ".raw",
                            P + ".internal",
                            P + ".internal.access",
                            P + ".internal.call",
                            P + ".internal.store",
                            P + ".internal.wasm")),
            Map.entry(
                    P + ".wasi",
                    Set.of(
                            P,
                            P + ".raw",
                            P + ".internal",
                            P + ".internal.access",
                            P + ".internal.store",
                            P + ".internal.wasm")),
            Map.entry(P + ".cache", Set.of(P, P + ".internal", P + ".internal.access")),
            Map.entry(P + ".pool", Set.of(P, P + ".wasi", P + ".cache", P + ".extism")),
            Map.entry(P + ".extism", Set.of(P, P + ".wasi")),
            Map.entry(P + ".raw", Set.of(P + ".internal")),
            Map.entry(P + ".internal", Set.of()),
            Map.entry(P + ".internal.access", Set.of(P, P + ".internal.store")),
            Map.entry(P + ".internal.store", Set.of(P + ".internal", P + ".raw")),
            Map.entry(P + ".internal.wasm", Set.of(P + ".internal", P + ".raw")),
            Map.entry(P + ".internal.call", Set.of(P + ".internal")));

    @Test
    void theCompiledPackagesImportOnlyWhatTheReadmeAllows() throws Exception {
        Map<String, Set<String>> edges = edges();
        assertThat(edges.keySet()).as("packages").isEqualTo(new TreeSet<>(ALLOWED.keySet()));
        edges.forEach((from, to) -> assertThat(to).as("imports of " + from).isSubsetOf(ALLOWED.get(from)));
    }

    @Test
    void noInternalPackageNamesAnApiTypeButTheBridge() throws Exception {
        edges().forEach((from, to) -> {
            if (from.startsWith(P + ".internal") && !from.equals(P + ".internal.access")) {
                assertThat(to).as(from).allMatch(t -> t.startsWith(P + ".internal") || t.equals(P + ".raw"));
            }
        });
    }

    @Test
    void theOnlyCycleIsTheBridgeRegistration() throws Exception {
        Map<String, Set<String>> edges = edges();
        Set<String> cycles = new TreeSet<>();
        for (String a : edges.keySet()) {
            for (String b : edges.get(a)) {
                if (reaches(edges, b, a, new TreeSet<>())) {
                    cycles.add(a + " -> " + b);
                }
            }
        }
        assertThat(cycles)
                .containsExactlyInAnyOrder(P + " -> " + P + ".internal.access", P + ".internal.access -> " + P);
    }

    @Test
    void theExportedPackagesPublicTypesAreTheReadmesList() throws Exception {
        String readme = Files.readString(Path.of("README.md"));
        Matcher row = Pattern.compile("^\\| `(dev\\.wasmerffm[\\w.]*)` \\| (.*) \\|$", Pattern.MULTILINE)
                .matcher(readme);
        Map<String, Set<String>> listed = new TreeMap<>();
        while (row.find()) {
            Set<String> types = new TreeSet<>();
            Matcher t = Pattern.compile("`(\\w+)`").matcher(row.group(2));
            while (t.find()) {
                types.add(t.group(1));
            }
            listed.put(row.group(1), types);
        }
        Map<String, Set<String>> compiled = new TreeMap<>();
        for (String pkg : List.of(P, P + ".wasi", P + ".cache", P + ".pool", P + ".extism")) {
            Path dir = Path.of("target/classes", pkg.replace('.', '/'));
            try (Stream<Path> files = Files.list(dir)) {
                for (Path f : files.filter(f -> f.toString().endsWith(".class")).toList()) {
                    String name = f.getFileName().toString().replace(".class", "");
                    if (!name.contains("$") && !name.equals("package-info")) {
                        Class<?> c = Class.forName(
                                pkg + "." + name, false, getClass().getClassLoader());
                        if (java.lang.reflect.Modifier.isPublic(c.getModifiers())) {
                            compiled.computeIfAbsent(pkg, k -> new TreeSet<>()).add(name);
                        }
                    }
                }
            }
        }
        assertThat(listed).isEqualTo(compiled);
    }

    private static boolean reaches(Map<String, Set<String>> edges, String from, String to, Set<String> seen) {
        if (from.equals(to)) {
            return true;
        }
        if (!seen.add(from)) {
            return false;
        }
        return edges.getOrDefault(from, Set.of()).stream().anyMatch(n -> reaches(edges, n, to, seen));
    }

    /** jdeps -verbose:package over target/classes: the binding's own package-to-package edges. */
    static Map<String, Set<String>> edges() throws Exception {
        Path classes = Path.of("target/classes");
        assertThat(classes.resolve("dev/wasmerffm/Store.class")).exists();
        String chicory;
        try (Stream<Path> jars = Stream.of(System.getProperty("java.class.path").split(java.io.File.pathSeparator))
                .map(Path::of)) {
            chicory = jars.filter(j -> j.getFileName().toString().startsWith("wasm-") && Files.isRegularFile(j))
                    .findFirst()
                    .map(Path::toString)
                    .orElseThrow();
        }
        ToolProvider jdeps = ToolProvider.findFirst("jdeps").orElseThrow();
        StringWriter out = new StringWriter();
        int rc = jdeps.run(
                new PrintWriter(out),
                new PrintWriter(out),
                "-verbose:package",
                "--multi-release",
                "25",
                "--module-path",
                chicory,
                classes.toString());
        assertThat(rc).as(out.toString()).isZero();
        Map<String, Set<String>> edges = new TreeMap<>();
        Matcher m = Pattern.compile("^\\s+(" + Pattern.quote(P) + "[\\w.]*)\\s+->\\s+(\\S+)", Pattern.MULTILINE)
                .matcher(out.toString());
        while (m.find()) {
            Set<String> to = edges.computeIfAbsent(m.group(1), k -> new TreeSet<>());
            if ((m.group(2).equals(P) || m.group(2).startsWith(P + "."))
                    && !m.group(2).equals(m.group(1))) {
                to.add(m.group(2));
            }
        }
        return edges;
    }
}
