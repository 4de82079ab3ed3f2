package dev.wasmerffm.spring.boot.modules;

/** A module's import is not provided, or not as the module declares it, by the {@link WasmHostFunction} beans. */
public final class WasmImportException extends WasmModuleException {

    WasmImportException(String module, String message, String fix) {
        super(module, message, fix, null);
    }
}
