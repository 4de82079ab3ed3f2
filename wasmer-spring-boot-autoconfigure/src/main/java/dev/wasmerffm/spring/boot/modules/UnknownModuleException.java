package dev.wasmerffm.spring.boot.modules;

import dev.wasmerffm.WasmerException;
import java.util.Set;

/** No module of that name is registered. */
public final class UnknownModuleException extends WasmerException {

    private final String name;

    /** No module {@code name} among {@code known}. */
    public UnknownModuleException(String name, Set<String> known) {
        super("no WebAssembly module named '" + name + "'; registered: " + known);
        this.name = name;
    }

    /** The name asked for. */
    public String name() {
        return name;
    }
}
