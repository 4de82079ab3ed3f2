package dev.wasmerffm.spring.boot.interop;

import java.lang.reflect.Method;
import java.lang.reflect.Type;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * How the inputs and outputs of Extism plugins, which are bytes, map to Java for {@code @WasmModule} interface
 * methods and {@code extism:host/user} host functions: {@code byte[]} and {@code ByteBuffer} as they are,
 * {@code String} as UTF-8, any other type as JSON through {@link Json} (the starter's is the application's Jackson
 * mapper).
 */
public final class PluginPayloads {

    /** JSON for the types that are neither bytes nor text. */
    public interface Json {

        /** {@code value} as JSON. */
        byte[] write(@Nullable Object value);

        /** The JSON {@code json} read as {@code type}. */
        @Nullable
        Object read(byte[] json, Type type);
    }

    private final Supplier<@Nullable Json> json;

    /** @param json the JSON mapping, looked up when first needed; null where the application has none */
    public PluginPayloads(Supplier<@Nullable Json> json) {
        this.json = json;
    }

    /** Whether {@code type} passes as bytes or text, without JSON. */
    static boolean isRaw(Class<?> type) {
        return WasmTypes.isBytes(type);
    }

    /**
     * Fails naming {@code m} if {@code type} needs JSON and there is none, so that a missing Jackson fails the
     * binding, not the first call.
     */
    void requireMapping(Method m, Class<?> type) {
        if (!isRaw(type) && json.get() == null) {
            throw new IllegalStateException(WasmTypes.describe(m) + " passes " + type.getSimpleName()
                    + " as JSON, and the application has no JSON mapper: add Jackson (tools.jackson.core:"
                    + "jackson-databind, e.g. through spring-boot-starter-json), or pass byte[] or String");
        }
    }

    /** {@code value} as the bytes a plugin reads. */
    byte[] encode(@Nullable Object value) {
        return value != null && isRaw(value.getClass()) || value instanceof ByteBuffer
                ? toBytes(value)
                : mapper().write(value);
    }

    /** The bytes a plugin wrote, as {@code type} ({@code generic} for JSON). */
    @Nullable
    Object decode(byte[] data, Class<?> type, Type generic) {
        return isRaw(type) ? fromBytes(data, type) : mapper().read(data, generic);
    }

    /** A {@code String} (UTF-8), {@code ByteBuffer} (its remaining bytes) or {@code byte[]} as bytes. */
    static byte[] toBytes(Object a) {
        if (a instanceof String s) {
            return s.getBytes(StandardCharsets.UTF_8);
        }
        if (a instanceof ByteBuffer b) {
            byte[] data = new byte[b.remaining()];
            b.duplicate().get(data);
            return data;
        }
        return (byte[]) a;
    }

    /** Bytes as {@code type}: {@code String}, {@code ByteBuffer} or {@code byte[]}. */
    static Object fromBytes(byte[] data, Class<?> type) {
        if (type == String.class) {
            return new String(data, StandardCharsets.UTF_8);
        }
        return type == ByteBuffer.class ? ByteBuffer.wrap(data) : data;
    }

    private Json mapper() {
        Json j = json.get();
        if (j == null) {
            throw new IllegalStateException("no JSON mapper: add Jackson, or pass byte[] or String");
        }
        return j;
    }
}
