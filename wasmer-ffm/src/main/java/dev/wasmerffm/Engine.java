package dev.wasmerffm;

import dev.wasmerffm.raw.LibWasm;
import java.lang.foreign.MemorySegment;
import java.util.function.Function;

/**
 * Compiles modules. Thread-safe: share one engine across the application. Closing it stops new compiles and
 * stores; the native engine is freed once the modules and stores it serves are gone too (their machine code lives
 * in it).
 */
public final class Engine implements AutoCloseable {

    private final Config config;
    private final SharedResource resource;

    /** An engine with the default {@link Config}. */
    public Engine() {
        this(new Config());
    }

    /** An engine for a config; {@link BackendUnavailableException} if its backend is not built in. */
    public Engine(Config config) {
        WasmerLibrary.load();
        this.config = config;
        this.resource = new SharedResource(this, "Engine", newNative(config, false), LibWasm::wasm_engine_delete);
    }

    private static MemorySegment newNative(Config config, boolean metered) {
        MemorySegment engine = LibWasm.wasm_engine_new_with_config(config.toNative(metered));
        if (engine.equals(MemorySegment.NULL)) {
            throw new WasmerException("cannot create a Wasmer engine for " + config + ": "
                    + LastError.take("no reason given"));
        }
        return engine;
    }

    /** The config this engine was made from. */
    public Config config() {
        return config;
    }

    /** Whether modules compiled here are metered. */
    public boolean isMetered() {
        return config.metering() != null;
    }

    /** A native module and the engine reference it holds (released when the module is freed). */
    record Compiled(MemorySegment module, SharedResource.State engine) {
    }

    /**
     * Runs a compile with a native engine: this one, or for a metered config a fresh one holding a fresh metering
     * middleware. A NULL result releases the engine reference.
     */
    Compiled compile(Function<MemorySegment, MemorySegment> compile) {
        SharedResource.State engine;
        MemorySegment module;
        if (isMetered()) {
            resource.use(e -> e); // closed check
            MemorySegment fresh = newNative(config, true);
            engine = new SharedResource.State(fresh, LibWasm::wasm_engine_delete);
            module = compile.apply(fresh);
        } else {
            engine = resource.retain();
            module = resource.useRetained(compile);
        }
        if (module.equals(MemorySegment.NULL)) {
            engine.release();
        }
        return new Compiled(module, engine);
    }

    /** Runs a native operation with the engine pointer, which is valid until it returns. */
    <T> T use(Function<MemorySegment, T> operation) {
        return resource.use(operation);
    }

    /** A reference to this engine for a module whose code it holds. */
    SharedResource.State retain() {
        return resource.retain();
    }

    /** Whether {@link #close()} has been called. */
    public boolean isClosed() {
        return resource.isClosed();
    }

    /** Stops new compiles and stores; a second call does nothing. */
    @Override
    public void close() {
        resource.close();
    }

    @Override
    public String toString() {
        return "Engine[" + config.backend() + (isClosed() ? ", closed]" : "]");
    }
}
