package dev.wasmerffm.spring.boot.modules;

import dev.wasmerffm.pool.WasmModuleException;

/** A {@link dev.wasmerffm.spring.boot.annotation.WasmModule} interface's method does not match the module's exports. */
public final class WasmModuleInterfaceException extends WasmModuleException {

    /** Thrown by the check of an interface against {@code module}; {@code fix} says what to change. */
    public WasmModuleInterfaceException(String module, String message, String fix) {
        super(module, message, fix, null);
    }
}
