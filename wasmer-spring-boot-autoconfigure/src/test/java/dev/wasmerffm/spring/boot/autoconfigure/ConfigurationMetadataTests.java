package dev.wasmerffm.spring.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The metadata IDEs read, as the configuration processor generated it from the properties and the additional file. */
class ConfigurationMetadataTests {

    static final JsonNode METADATA = read();

    static JsonNode read() {
        try (InputStream in =
                ConfigurationMetadataTests.class.getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
            return JsonMapper.builder().build().readTree(in);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static Map<String, JsonNode> byName(String section) {
        Map<String, JsonNode> out = new HashMap<>();
        METADATA.get(section).forEach(n -> out.put(n.get("name").asString(), n));
        return out;
    }

    @Test
    void propertiesHaveDescriptionsAndDefaults() {
        Map<String, JsonNode> properties = byName("properties");
        properties.forEach(
                (name, p) -> assertThat(p.has("description")).as(name).isTrue());
        assertThat(properties
                        .get("wasmer.modules.locations")
                        .get("defaultValue")
                        .toString())
                .isEqualTo("[\"classpath*:wasm/*.wasm\",\"classpath*:wasm/*.wat\"]");
        assertThat(properties.get("wasmer.pool.size").get("description").asString())
                .contains("number of processors");
        assertThat(properties.get("wasmer.cache.directory").get("description").asString())
                .contains("~/.cache/wasmer-java/modules");
        assertThat(properties
                        .get("wasmer.pool.instance-reuse")
                        .get("defaultValue")
                        .asString())
                .isEqualTo("discard-after-trap");
        assertThat(properties)
                .containsKeys(
                        "wasmer.modules.settings",
                        "management.health.wasmer.enabled",
                        "management.info.wasmer.enabled");
        assertThat(properties
                        .get("management.health.wasmer.enabled")
                        .get("defaultValue")
                        .asBoolean())
                .isTrue();
        // meters are switched by Boot's management.metrics.enable.<name>, not by a property of ours
        assertThat(properties.keySet()).noneMatch(name -> name.startsWith("wasmer.metrics."));
    }

    @Test
    void theReadmeTableNamesEveryProperty() throws java.io.IOException {
        String readme = java.nio.file.Files.readString(java.nio.file.Path.of("../README.md"));
        String table = readme.substring(readme.indexOf("| property | default |"));
        byName("properties").keySet().forEach(name -> assertThat(table)
                .as(name)
                .contains(name.startsWith("wasmer.") ? name.substring("wasmer.".length()) : name));
    }

    @Test
    void valuesHaveHints() {
        Map<String, JsonNode> hints = byName("hints");
        assertThat(hints)
                .containsKeys(
                        "wasmer.backend",
                        "wasmer.metering.reset",
                        "wasmer.metering.costs.keys",
                        "wasmer.pool.instance-reuse",
                        "wasmer.tracing.verbosity");
        assertThat(hints.get("wasmer.tracing.verbosity").get("values")).hasSize(5);
    }
}
