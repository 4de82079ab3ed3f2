package dev.wasmerffm.spec;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wasmerffm.Engine;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The official WebAssembly spec testsuite (src/test/spec, converted by wast2json at build time) through the public
 * API. Every file must pass at least as many commands as docs/spec-testsuite.md says; the table this run makes is
 * written to target/spec-testsuite.md (copy it over the committed one when results improve).
 */
class SpecTestsuiteTest {

    private static final Pattern ROW = Pattern.compile("^\\| ([\\w.-]+\\.wast) \\| (\\d+) \\| (\\d+) \\|");
    /** Files run in parallel: each has its own store, and the machines building this have 2 cores. */
    private static final int THREADS = 2;

    @TestFactory
    Stream<DynamicTest> everyFilePassesAtLeastTheCommittedCount() throws Exception {
        Path json = Path.of(SpecTestsuiteTest.class.getResource("/spec").toURI());
        List<Path> files;
        try (Stream<Path> s = Files.list(json)) {
            files = s.filter(p -> p.toString().endsWith(".json")).sorted().toList();
        }
        assertThat(files).hasSize(146);
        long start = System.nanoTime();
        List<SpecFile.Result> results = new ArrayList<>();
        try (Engine engine = new Engine();
                ExecutorService pool = Executors.newFixedThreadPool(THREADS)) {
            List<Future<SpecFile.Result>> futures = new ArrayList<>();
            for (Path f : files) {
                futures.add(pool.submit(() -> SpecFile.run(f, engine)));
            }
            for (Future<SpecFile.Result> f : futures) {
                results.add(f.get());
            }
        }
        long millis = (System.nanoTime() - start) / 1_000_000;
        Files.writeString(Path.of("target", "spec-testsuite.md"), table(results, millis));
        Map<String, long[]> committed = committed();
        return results.stream()
                .map(r -> DynamicTest.dynamicTest(r.file(), () -> {
                    long[] c = committed.get(r.file());
                    assertThat(c)
                            .as("%s is in docs/spec-testsuite.md", r.file())
                            .isNotNull();
                    assertThat(r.outcomes()).as("commands of %s", r.file()).hasSize((int) c[0]);
                    assertThat(r.passed())
                            .as("passed commands of %s; failures: %s", r.file(), SpecFile.failures(r))
                            .isGreaterThanOrEqualTo(c[1]);
                }));
    }

    /** File to {commands, passed} from the committed table. */
    private static Map<String, long[]> committed() {
        Path doc = Path.of(System.getProperty("spec.table", "../docs/spec-testsuite.md"));
        Map<String, long[]> m = new LinkedHashMap<>();
        try {
            for (String line : Files.readAllLines(doc)) {
                Matcher x = ROW.matcher(line);
                if (x.find()) {
                    m.put(x.group(1), new long[] {Long.parseLong(x.group(2)), Long.parseLong(x.group(3))});
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("the committed results table " + doc.toAbsolutePath(), e);
        }
        return m;
    }

    private static String table(List<SpecFile.Result> results, long millis) {
        long commands = results.stream().mapToLong(r -> r.outcomes().size()).sum();
        long passed = results.stream().mapToLong(SpecFile.Result::passed).sum();
        StringBuilder b = new StringBuilder();
        b.append("Total: ")
                .append(passed)
                .append(" of ")
                .append(commands)
                .append(" commands passed, ")
                .append(commands - passed)
                .append(" failed, in ")
                .append(millis)
                .append(" ms (")
                .append(THREADS)
                .append(" threads).\n\n| file | commands | passed | failed |\n|---|---|---|---|\n");
        for (SpecFile.Result r : results) {
            b.append("| ")
                    .append(r.file())
                    .append(" | ")
                    .append(r.outcomes().size())
                    .append(" | ")
                    .append(r.passed())
                    .append(" | ")
                    .append(r.outcomes().size() - r.passed())
                    .append(" |\n");
        }
        b.append("\n## Failures, by file and reason (lines in the .wast)\n\n");
        for (SpecFile.Result r : results) {
            SpecFile.failures(r).forEach((reason, lines) -> b.append("- ")
                    .append(r.file())
                    .append(": ")
                    .append(reason.replace("|", "\\|"))
                    .append(" (")
                    .append(lines.size())
                    .append(": lines ")
                    .append(lines.size() > 6 ? lines.subList(0, 6) + "..." : lines)
                    .append(")\n"));
        }
        return b.toString();
    }
}
