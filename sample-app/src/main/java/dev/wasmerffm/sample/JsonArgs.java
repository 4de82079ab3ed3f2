package dev.wasmerffm.sample;

import dev.wasmerffm.FuncType;
import dev.wasmerffm.ValType;
import dev.wasmerffm.WasmArgumentException;
import java.util.ArrayList;
import java.util.List;

/** JSON numbers to a function's parameter types; a mismatch is the caller's error (400). */
final class JsonArgs {

    private JsonArgs() {}

    static Object[] convert(FuncType type, List<Number> args) {
        List<Number> given = args == null ? List.of() : args;
        if (given.size() != type.params().size()) {
            throw new WasmArgumentException(
                    "expected " + type.params().size() + " arguments " + type + ", got " + given.size());
        }
        List<Object> out = new ArrayList<>();
        for (int i = 0; i < given.size(); i++) {
            Number n = given.get(i);
            ValType t = type.params().get(i);
            out.add(
                    switch (t) {
                        case I32 -> Math.toIntExact(n.longValue());
                        case I64 -> n.longValue();
                        case F32 -> n.floatValue();
                        case F64 -> n.doubleValue();
                        default ->
                            throw new WasmArgumentException(
                                    "parameter " + i + " is " + t + ", which JSON cannot carry");
                    });
        }
        return out.toArray();
    }
}
