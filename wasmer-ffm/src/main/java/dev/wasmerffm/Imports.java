package dev.wasmerffm;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Imports by module and name, resolved into the order a module declares them. */
public final class Imports {

    private final Map<ImportName, Extern> byName = new LinkedHashMap<>();

    /** Defines {@code module.name}; a later definition of the same name replaces it. */
    public Imports define(String module, String name, Extern extern) {
        byName.put(new ImportName(module, name), java.util.Objects.requireNonNull(extern, "extern"));
        return this;
    }

    /** Adds every definition of {@code other}, replacing same-named ones. */
    public Imports addAll(Imports other) {
        byName.putAll(other.byName);
        return this;
    }

    /** The externs in the module's import order; {@link LinkException} naming the first one missing. */
    List<Extern> resolve(Module module) {
        List<Extern> out = new ArrayList<>();
        for (ImportType imp : module.imports()) {
            Extern e = byName.get(imp.importName());
            if (e == null) {
                throw new LinkException("missing import " + imp.importName() + " (" + imp.type() + ")");
            }
            out.add(e);
        }
        return out;
    }
}
