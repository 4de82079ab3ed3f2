package dev.wasmerffm.pool;

import org.jspecify.annotations.Nullable;

/**
 * A module did not load: not WebAssembly, bad WAT, invalid or too large, or (among the files a registry is built
 * with) its name taken by another file.
 */
public final class WasmModuleLoadException extends WasmModuleException {

    private final String location;

    WasmModuleLoadException(String module, String location, String problem, String fix, @Nullable Throwable cause) {
        super(
                module,
                "WebAssembly module '" + module + "' (" + location + ") cannot be loaded: " + problem,
                fix,
                cause);
        this.location = location;
    }

    /** Where the file is, or {@code "registered at runtime"}. */
    public String location() {
        return location;
    }
}
