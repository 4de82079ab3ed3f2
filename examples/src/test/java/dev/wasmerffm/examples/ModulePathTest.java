package dev.wasmerffm.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.lang.module.FindException;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The binding as a named module: BasicCall in a child JVM with {@code dev.wasmerffm} and Chicory's wasm module on the
 * module path and native access granted to {@code dev.wasmerffm} alone. {@code --illegal-native-access=deny} makes
 * any restricted call from another module (or the classpath) fail, so the run proves the grant is enough.
 */
class ModulePathTest {

    private static final Set<String> MODULES = Set.of("dev.wasmerffm", "com.dylibso.chicory.wasm");

    @Test
    void basicCallRunsWithTheBindingAsANamedModule() throws Exception {
        List<String> modulePath = new ArrayList<>();
        List<String> classPath = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            (isModule(entry) ? modulePath : classPath).add(entry);
        }
        assertThat(modulePath)
                .as("the binding and Chicory's wasm jar are real modules")
                .hasSize(2);

        Process p = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "--module-path",
                        String.join(File.pathSeparator, modulePath),
                        "--add-modules",
                        "dev.wasmerffm",
                        "--enable-native-access=dev.wasmerffm",
                        "--illegal-native-access=deny",
                        "-cp",
                        String.join(File.pathSeparator, classPath),
                        BasicCall.class.getName())
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(out).isEqualTo("add(40, 2) = 42\nadd(40, 2) = 42\n");
        assertThat(p.exitValue()).isZero();
    }

    /** Whether a classpath entry is one of {@link #MODULES}; libwasmer's platform jar (resources only) stays behind. */
    private static boolean isModule(String entry) {
        try {
            return ModuleFinder.of(Path.of(entry)).findAll().stream()
                    .map(ModuleReference::descriptor)
                    .anyMatch(d -> !d.isAutomatic() && MODULES.contains(d.name()));
        } catch (FindException e) {
            return false; // no module name can be derived from it: a classpath-only jar
        }
    }
}
