package dev.wasmerffm;

import dev.wasmerffm.raw.LibWasm;
import java.lang.foreign.MemorySegment;

/**
 * Compiles modules. Thread-safe: share one engine across the application. Stores and modules made from it stay
 * usable after it is closed (libwasmer keeps what they need alive).
 */
public final class Engine implements AutoCloseable {

    private final Config config;
    private final SharedResource resource;

    /** An engine with the default {@link Config}. */
    public Engine() {
        this(new Config());
    }

    /** An engine for a config. */
    public Engine(Config config) {
        WasmerLibrary.load();
        this.config = config;
        MemorySegment engine = LibWasm.wasm_engine_new_with_config(config.toNative());
        if (engine.equals(MemorySegment.NULL)) {
            throw new WasmerException("cannot create a Wasmer engine for " + config + ": "
                    + LastError.take("no reason given"));
        }
        this.resource = new SharedResource(this, "Engine", engine, LibWasm::wasm_engine_delete);
    }

    /** The config this engine was made from. */
    public Config config() {
        return config;
    }

    /** Runs a native operation with the engine pointer, which is valid until it returns. */
    <T> T use(java.util.function.Function<MemorySegment, T> operation) {
        return resource.use(operation);
    }

    /** Whether {@link #close()} has been called. */
    public boolean isClosed() {
        return resource.isClosed();
    }

    /** Frees the engine; a second call does nothing. */
    @Override
    public void close() {
        resource.close();
    }

    @Override
    public String toString() {
        return "Engine[" + config.backend() + (isClosed() ? ", closed]" : "]");
    }
}
