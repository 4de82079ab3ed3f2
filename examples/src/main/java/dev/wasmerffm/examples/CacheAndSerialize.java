package dev.wasmerffm.examples;

import dev.wasmerffm.ArtifactKey;
import dev.wasmerffm.Engine;
import dev.wasmerffm.Instance;
import dev.wasmerffm.Module;
import dev.wasmerffm.Store;
import dev.wasmerffm.cache.ModuleCache;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Compile once: serialize a module, and keep compiled modules in a verified on-disk cache across restarts. */
public final class CacheAndSerialize {

    private CacheAndSerialize() {}

    /** Prints the size of an artifact, then cache statistics of two "runs". */
    public static void main(String[] args) throws IOException {
        String wat = "(module (func (export \"twice\") (param i64) (result i64) local.get 0 i64.const 2 i64.mul))";
        Path dir = Files.createTempDirectory("wasmer-cache-example");
        try (Engine engine = new Engine()) {
            ArtifactKey key = ArtifactKey.random(); // ArtifactKey.of(secret) for artifacts that outlive the process
            try (Module module = Module.compile(engine, wat);
                    Module back = Module.deserialize(engine, module.serialize(key), key, module.identity());
                    Store store = new Store(engine);
                    Instance in = Instance.create(store, back)) {
                System.out.println(
                        "deserialized twice(21) = " + in.func("twice").call(21L)[0]);
            }
            for (int run = 1; run <= 2; run++) {
                try (ModuleCache cache =
                        ModuleCache.builder(engine).directory(dir).build()) {
                    cache.get(wat.getBytes());
                    System.out.println(
                            "run " + run + ": compiles=" + cache.stats().compiles() + " diskLoads="
                                    + cache.stats().diskLoads());
                }
            }
        }
    }
}
