package dev.wasmerffm;

import dev.wasmerffm.raw.LibWasm;
import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * How an {@link Engine} compiles: backend and code generation options. A plain Java object: nothing native exists
 * until an engine is built from it, so a config can be reused for many engines.
 */
public final class Config {

    private Backend backend = Backend.CRANELIFT;
    private boolean canonicalizeNans;

    /** The backend compiling modules (default {@link Backend#CRANELIFT}). */
    public Backend backend() {
        return backend;
    }

    /** Chooses the backend; checked against the loaded libwasmer when the engine is created. */
    public Config backend(Backend backend) {
        this.backend = Objects.requireNonNull(backend, "backend");
        return this;
    }

    /** Whether float operations produce canonical NaNs (deterministic results across machines). */
    public boolean canonicalizeNans() {
        return canonicalizeNans;
    }

    /** Makes float operations produce canonical NaNs, for deterministic execution. */
    public Config canonicalizeNans(boolean enable) {
        this.canonicalizeNans = enable;
        return this;
    }

    /** Builds a native {@code wasm_config_t}; the engine constructor consumes it. */
    MemorySegment toNative() {
        if (!backend.isAvailable()) {
            throw new BackendUnavailableException(backend, Backend.available());
        }
        MemorySegment config = LibWasm.wasm_config_new();
        LibWasm.wasm_config_set_backend(config, backend.code());
        if (canonicalizeNans) {
            LibWasm.wasm_config_sys_canonicalize_nans(config, true);
        }
        return config;
    }

    @Override
    public String toString() {
        return "Config[backend=" + backend + ", canonicalizeNans=" + canonicalizeNans + "]";
    }
}
