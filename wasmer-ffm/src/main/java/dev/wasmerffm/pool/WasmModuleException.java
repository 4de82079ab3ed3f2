package dev.wasmerffm.pool;

import dev.wasmerffm.WasmerException;
import org.jspecify.annotations.Nullable;

/**
 * A registered module cannot be used as configured: it is not registered, it did not load, its imports are not
 * provided as declared, or code written against it (e.g. the starter's {@code @WasmModule} interfaces) does not match
 * it. Each says what to change, so a failed startup reports it in a few lines.
 */
public abstract class WasmModuleException extends WasmerException {

    private final String module;
    private final String fix;

    /** A failure of {@code module}; {@code fix} says what to change. */
    protected WasmModuleException(String module, String message, String fix, @Nullable Throwable cause) {
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
