package dev.wasmerffm;

/**
 * An export a module declares.
 *
 * @param name the export name
 * @param type what it is
 */
public record ExportType(String name, ExternType type) {

    @Override
    public String toString() {
        return name + ": " + type;
    }
}
