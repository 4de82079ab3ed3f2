package dev.wasmerffm;

import dev.wasmerffm.internal.store.LastError;
import dev.wasmerffm.internal.store.SharedResource;
import dev.wasmerffm.raw.LibWasm;
import java.lang.foreign.MemorySegment;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Compiles modules. Thread-safe: share one engine across the application. Closing it stops new compiles and
 * stores; the native engine is freed once the modules and stores it serves are gone too (their machine code lives
 * in it).
 */
public final class Engine implements AutoCloseable {

    private final Config config;
    private final SharedResource resource;
    /** Modules the binding generates (v128 adapters, batch drivers), by signature; closed with the engine. */
    final Map<Object, Module> generated = new ConcurrentHashMap<>();

    /** An engine with the default {@link Config}. */
    public Engine() {
        this(new Config());
    }

    /**
     * An engine for a snapshot of {@code config}: changing the config afterwards does not change this engine.
     *
     * @throws BackendUnavailableException if the backend is not built in, cannot compile ({@code headless}), or
     *         cannot compile for the config's target (Cranelift for an architecture it lacks)
     */
    public Engine(Config config) {
        WasmerLibrary.load();
        this.config = config.copy();
        if (this.config.backend() == Backend.HEADLESS) {
            // libwasmer aborts the process making a compiling engine for it ("not a `sys` backend!")
            throw new BackendUnavailableException(
                    Backend.HEADLESS,
                    Backend.available(),
                    "it compiles nothing, and libwasmer 7.4.2 aborts the process when asked for such an engine");
        }
        this.config.checkCompilable();
        this.resource = new SharedResource(this, "Engine", newNative(this.config, false), LibWasm::wasm_engine_delete);
    }

    private static MemorySegment newNative(Config config, boolean metered) {
        MemorySegment engine = LibWasm.wasm_engine_new_with_config(config.toNative(metered));
        if (engine.equals(MemorySegment.NULL)) {
            throw new WasmerException(
                    "cannot create a Wasmer engine for " + config + ": " + LastError.take("no reason given"));
        }
        return engine;
    }

    /** A copy of the config this engine was made from. */
    public Config config() {
        return config.copy();
    }

    /** The backend compiling here. */
    public Backend backend() {
        return config.backend();
    }

    /** The module as this engine compiles it (memory and table caps applied). */
    byte[] prepare(byte[] wasm) {
        return config.prepare(wasm);
    }

    /** The compilation target; null for this host. */
    Target target() {
        return config.target();
    }

    /** The engine's own native engine, to compare a store's with. */
    SharedResource.State nativeState() {
        return resource.state();
    }

    /** Whether modules compiled here are metered. */
    public boolean isMetered() {
        return config.metering() != null;
    }

    /** A native module and the engine reference it holds (released when the module is freed). */
    record Compiled(MemorySegment module, SharedResource.State engine) {}

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
        generated.values().forEach(Module::close);
        resource.close();
    }

    @Override
    public String toString() {
        return "Engine[" + config.backend() + (isClosed() ? ", closed]" : "]");
    }
}
