package dev.wasmerffm;

/**
 * The type of a global.
 *
 * @param content the type of its value
 * @param mutable whether it can be set
 */
public record GlobalType(ValType content, boolean mutable) implements ExternType {

    @Override
    public ExternKind kind() {
        return ExternKind.GLOBAL;
    }

    @Override
    public String toString() {
        return mutable ? "global (mut " + content + ")" : "global " + content;
    }
}
