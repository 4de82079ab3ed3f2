package dev.wasmerffm;

/**
 * An import a module declares.
 *
 * @param module the module name of the import
 * @param name the field name of the import
 * @param type what it must be
 */
public record ImportType(String module, String name, ExternType type) {

    @Override
    public String toString() {
        return module + "." + name + ": " + type;
    }
}
