package dev.wasmerffm.pool;

import java.util.List;

/** {@link WasmModules#remove} of a module something still {@link WasmModules#hold holds}. */
public final class ModuleInUseException extends WasmModuleException {

    private final List<String> holders;

    /** Module {@code name} is held by {@code holders}. */
    public ModuleInUseException(String name, List<String> holders) {
        super(
                name,
                "module '" + name + "' cannot be removed: " + holders + " use it",
                "Release what uses it first (for a @WasmModule interface: WasmModuleInterfaces.unbind), or register a"
                        + " replacement under the same name instead of removing it.",
                null);
        this.holders = List.copyOf(holders);
    }

    /** What holds the module. */
    public List<String> holders() {
        return holders;
    }
}
