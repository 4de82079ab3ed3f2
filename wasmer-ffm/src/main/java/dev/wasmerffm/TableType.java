package dev.wasmerffm;

/**
 * The type of a table.
 *
 * @param element the element type ({@link ValType#FUNCREF} or {@link ValType#EXTERNREF})
 * @param limits its size limits in elements
 */
public record TableType(ValType element, Limits limits) implements ExternType {

    /** Checks the element type is a reference type. */
    public TableType {
        if (!element.isReference()) {
            throw new IllegalArgumentException("table elements must be references, not " + element);
        }
    }

    @Override
    public ExternKind kind() {
        return ExternKind.TABLE;
    }

    @Override
    public String toString() {
        return "table " + limits + " " + element;
    }
}
