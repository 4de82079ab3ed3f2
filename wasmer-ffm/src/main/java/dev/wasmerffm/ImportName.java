package dev.wasmerffm;

import java.util.Objects;

/**
 * The two-level name of an import, as a key: {@code ("a.b", "c")} and {@code ("a", "b.c")} are different imports,
 * which a joined string would confuse.
 *
 * @param module the import's module name
 * @param name the import's name within that module
 */
public record ImportName(String module, String name) {

    /** Both names required. */
    public ImportName {
        Objects.requireNonNull(module, "module");
        Objects.requireNonNull(name, "name");
    }

    /** {@code module.name}, for messages only. */
    @Override
    public String toString() {
        return module + "." + name;
    }
}
