package dev.wasmerffm.spring.boot.modules;

import org.jspecify.annotations.Nullable;

/** A module file at {@code wasmer.modules.locations} did not load: not WebAssembly, bad WAT, invalid or too large. */
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

    /** Where the file is. */
    public String location() {
        return location;
    }
}
