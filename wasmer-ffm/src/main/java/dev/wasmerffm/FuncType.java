package dev.wasmerffm;

import java.util.List;
import java.util.stream.Collectors;

/**
 * A function signature.
 *
 * @param params the parameter types
 * @param results the result types
 */
public record FuncType(List<ValType> params, List<ValType> results) implements ExternType {

    /** Copies the lists. */
    public FuncType {
        params = List.copyOf(params);
        results = List.copyOf(results);
    }

    /** A signature from parameter types and result types. */
    public static FuncType of(List<ValType> params, List<ValType> results) {
        return new FuncType(params, results);
    }

    /** Whether any parameter or result is a {@link ValType#V128}, which the C API cannot carry. */
    public boolean hasV128() {
        return params.contains(ValType.V128) || results.contains(ValType.V128);
    }

    @Override
    public ExternKind kind() {
        return ExternKind.FUNC;
    }

    /** In WAT-like notation, e.g. {@code (i32, i32) -> (i32)}. */
    @Override
    public String toString() {
        return "(" + params.stream().map(ValType::toString).collect(Collectors.joining(", ")) + ") -> ("
                + results.stream().map(ValType::toString).collect(Collectors.joining(", ")) + ")";
    }
}
