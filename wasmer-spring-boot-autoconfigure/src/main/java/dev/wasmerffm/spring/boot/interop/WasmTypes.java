package dev.wasmerffm.spring.boot.interop;

import dev.wasmerffm.ValType;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/** How Java types map to wasm value types, for module interfaces and bean host functions alike. */
final class WasmTypes {

    private WasmTypes() {}

    /** The value type carrying {@code type}, or null if none does. */
    static @Nullable ValType of(Class<?> type) {
        if (type == int.class) {
            return ValType.I32;
        }
        if (type == long.class) {
            return ValType.I64;
        }
        if (type == float.class) {
            return ValType.F32;
        }
        return type == double.class ? ValType.F64 : null;
    }

    /** The value type of the elements of {@code type}, a batch column ({@code int[]}, ...), or null if it is none. */
    static @Nullable ValType ofColumn(Class<?> type) {
        return type.isArray() ? of(type.getComponentType()) : null;
    }

    /**
     * Whether {@code type} travels by the byte convention of {@link dev.wasmerffm.spring.boot.annotation.WasmModule}.
     */
    static boolean isBytes(Class<?> type) {
        return type == String.class || type == byte[].class || type == ByteBuffer.class;
    }

    /** {@code Type.method(int, String)}, for messages. */
    static String describe(Method m) {
        return m.getDeclaringClass().getSimpleName() + "." + m.getName()
                + Arrays.stream(m.getParameterTypes())
                        .map(Class::getSimpleName)
                        .collect(Collectors.joining(", ", "(", ")"));
    }

    /** Fails with a message naming the method when a type has no wasm counterpart. */
    static ValType require(Method m, Class<?> type, String what) {
        ValType t = of(type);
        if (t == null) {
            throw new IllegalStateException(describe(m) + ": " + what + " type " + type.getSimpleName()
                    + " has no WebAssembly counterpart (use int, long, float or double)");
        }
        return t;
    }
}
