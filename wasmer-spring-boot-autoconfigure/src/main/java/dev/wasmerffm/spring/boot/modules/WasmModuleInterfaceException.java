package dev.wasmerffm.spring.boot.modules;

/** A {@link WasmModule} interface's method does not match the module's exports. */
public final class WasmModuleInterfaceException extends WasmModuleException {

    WasmModuleInterfaceException(String module, String message, String fix) {
        super(module, message, fix, null);
    }
}
