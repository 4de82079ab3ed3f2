package dev.wasmerffm.spring.boot.autoconfigure;

import dev.wasmerffm.spring.boot.interop.PluginPayloads;
import java.lang.reflect.Type;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.json.JsonMapper;

/** Plugin payloads as JSON through a Jackson 3 mapper. */
final class JacksonPluginJson implements PluginPayloads.Json {

    private final JsonMapper mapper;

    JacksonPluginJson(JsonMapper mapper) {
        this.mapper = mapper;
    }

    @Override
    public byte[] write(@Nullable Object value) {
        return mapper.writeValueAsBytes(value);
    }

    @Override
    public @Nullable Object read(byte[] json, Type type) {
        return mapper.readValue(json, mapper.constructType(type));
    }
}
