package dev.wasmerffm.spring.boot.modules;

/**
 * A module's import is not provided, or not as the module declares it, by the
 * {@link dev.wasmerffm.spring.boot.annotation.WasmHostFunction} beans.
 */
public final class WasmImportException extends WasmModuleException {

    /** Thrown by the host-function check of {@code module}; {@code fix} says what to change. */
    public WasmImportException(String module, String message, String fix) {
        super(module, message, fix, null);
    }
}
