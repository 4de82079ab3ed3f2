package dev.wasmerffm;

/** The kind of an import, export or extern ({@code wasm_externkind_t}). */
public enum ExternKind {
    /** A function. */
    FUNC,
    /** A global. */
    GLOBAL,
    /** A table. */
    TABLE,
    /** A linear memory. */
    MEMORY;

    @Override
    public String toString() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
