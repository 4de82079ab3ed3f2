package dev.wasmerffm.extism;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/** The plugins tools/build-extism-plugins.sh built into target/test-classes/extism. */
final class Plugins {

    static final String GO = "go-plugin";
    static final String RUST = "rust-plugin";

    private Plugins() {}

    /** The plugin's file; the test is skipped, saying why, when the build could not make it. */
    static Path file(String name) {
        Path p = Path.of("target/test-classes/extism", name + ".wasm");
        assumeTrue(
                Files.isRegularFile(p),
                name + ".wasm was not built: tools/build-extism-plugins.sh skips it where "
                        + (name.startsWith("go") ? "Go is" : "cargo or the Rust target wasm32-unknown-unknown is")
                        + " missing (see the build log)");
        return p;
    }
}
