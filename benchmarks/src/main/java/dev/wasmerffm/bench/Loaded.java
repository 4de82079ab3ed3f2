package dev.wasmerffm.bench;

import dev.wasmerffm.Config;
import dev.wasmerffm.Engine;
import dev.wasmerffm.Instance;
import dev.wasmerffm.Module;
import dev.wasmerffm.Store;

/** A module compiled on its own engine and instantiated in its own store, closed together. */
record Loaded(Engine engine, Module module, Store store, Instance instance) implements AutoCloseable {

    static Loaded of(Config config, byte[] wasmOrWat) {
        Engine engine = new Engine(config);
        Module module = Module.compile(engine, wasmOrWat);
        Store store = new Store(module); // a metered module runs only on its own native engine
        return new Loaded(engine, module, store, Instance.create(store, module));
    }

    @Override
    public void close() {
        instance.close();
        store.close();
        module.close();
        engine.close();
    }
}
