package dev.wasmerffm.pool;

import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/** No module of that name is registered. */
public final class UnknownModuleException extends WasmModuleException {

    private final Set<String> registered;
    private final List<String> locations;

    /** No module {@code name} among {@code registered}, which were found at {@code locations}. */
    public UnknownModuleException(String name, Set<String> registered, List<String> locations) {
        super(
                name,
                "no WebAssembly module named '" + name + "'; registered: " + registered,
                locations.isEmpty()
                        ? "Register module '" + name + "', or use one of the registered names " + registered + "."
                        : "Add " + name
                                + ".wasm or " + name + ".wat at one of wasmer.modules.locations " + locations
                                + ", or use one of the registered names " + registered + ".",
                null);
        this.registered = Collections.unmodifiableSortedSet(new TreeSet<>(registered));
        this.locations = List.copyOf(locations);
    }

    /** The name asked for. */
    public String name() {
        return module();
    }

    /** The names registered. */
    public Set<String> registered() {
        return registered;
    }

    /** The locations searched ({@link WasmModules.Builder#locations}: the starter's {@code wasmer.modules.locations}). */
    public List<String> locations() {
        return locations;
    }
}
