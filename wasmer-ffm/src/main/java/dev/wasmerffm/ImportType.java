package dev.wasmerffm;

/**
 * An import a module declares.
 *
 * @param module the module name of the import
 * @param name the field name of the import
 * @param type what it must be
 */
public record ImportType(String module, String name, ExternType type) {

    /** The import's name as a key ({@link Imports}, the starter's host functions). */
    public ImportName importName() {
        return new ImportName(module, name);
    }

    @Override
    public String toString() {
        return importName() + ": " + type;
    }
}
