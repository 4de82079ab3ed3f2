package dev.wasmerffm.spring.boot.modules;

import dev.wasmerffm.WasmerException;
import org.jspecify.annotations.Nullable;

/**
 * A registered module cannot be used as configured: it did not load, its imports are not provided as declared, or a
 * {@link dev.wasmerffm.spring.boot.annotation.WasmModule} interface does not match it. Each says what to change, so
 * a failed startup reports it in a few lines.
 */
public abstract sealed class WasmModuleException extends WasmerException
        permits UnknownModuleException, WasmModuleLoadException, WasmImportException, WasmModuleInterfaceException {

    private final String module;
    private final String fix;

    WasmModuleException(String module, String message, String fix, @Nullable Throwable cause) {
        super(message, cause);
        this.module = module;
        this.fix = fix;
    }

    /** The module's name. */
    public String module() {
        return module;
    }

    /** What to change, naming the property, file or method. */
    public String fix() {
        return fix;
    }
}
