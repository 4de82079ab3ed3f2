package dev.wasmerffm.pool;

/**
 * A module's import is not provided, or not as the module declares it, by the host functions its instances get;
 * thrown by a check of its imports (the starter's, against its {@code @WasmHostFunction} beans, runs at startup and
 * in {@link WasmModules#checkOnRegister}).
 */
public final class WasmImportException extends WasmModuleException {

    /** Thrown by the host-function check of {@code module}; {@code fix} says what to change. */
    public WasmImportException(String module, String message, String fix) {
        super(module, message, fix, null);
    }
}
