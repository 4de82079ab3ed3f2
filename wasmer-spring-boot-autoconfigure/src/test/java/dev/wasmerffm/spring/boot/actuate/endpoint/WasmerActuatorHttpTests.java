package dev.wasmerffm.spring.boot.actuate.endpoint;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wasmerffm.pool.WasmInstancePool;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The endpoint, health and metrics read over real HTTP. Redis is on the test classpath (for the shared cache tests)
 * but not used here, so its health indicator is off.
 */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "management.endpoints.web.exposure.include=health,info,metrics,wasmer",
                    "management.health.redis.enabled=false",
            "management.endpoint.health.show-details=always", "wasmer.metering.enabled=true",
            "wasmer.metering.initial-points=100000", "wasmer.cache.enabled=false"
        })
class WasmerActuatorHttpTests {

    @SpringBootApplication
    static class App {}

    @LocalServerPort
    int port;

    @Autowired
    WasmInstancePool pool;

    JsonNode get(String path) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(path + ": " + r.body()).isEqualTo(200);
        return JsonMapper.builder().build().readTree(r.body());
    }

    @Test
    void wasmerEndpoint() throws Exception {
        assertThat(pool.call("add", "add", 2, 3)).containsExactly(5);
        JsonNode w = get("/actuator/wasmer");
        assertThat(w.get("version").get("full").asString()).isEqualTo("7.4.2");
        assertThat(w.get("version").get("major").asInt()).isEqualTo(7);
        assertThat(w.get("version").get("minor").asInt()).isEqualTo(4);
        assertThat(w.get("version").get("patch").asInt()).isEqualTo(2);
        assertThat(w.get("version").get("pre").asString()).isEmpty();
        assertThat(w.get("backend").asString()).isEqualTo("cranelift");
        assertThat(w.get("backends").get("cranelift").asBoolean()).isTrue();
        assertThat(w.get("backends").get("singlepass").asBoolean()).isTrue();
        assertThat(w.get("backends").get("llvm").asBoolean()).isFalse();
        assertThat(w.get("backends").get("v8").asBoolean()).isFalse();
        assertThat(w.get("headless").asBoolean()).isFalse();
        assertThat(w.get("target").asString()).isEqualTo("host");
        assertThat(w.get("metering").get("enabled").asBoolean()).isTrue();
        assertThat(w.get("metering").get("initialPoints").asLong()).isEqualTo(100000);
        assertThat(w.get("metering").get("consumedPoints").asLong()).isPositive();
        assertThat(w.get("metering").get("exhaustions").asLong())
                .isEqualTo(pool.stats().values().stream()
                        .mapToLong(WasmInstancePool.Stats::exhaustions)
                        .sum());
        assertThat(w.get("cache").get("compiles").asLong()).isEqualTo(3);
        assertThat(w.get("modules")).hasSize(3);
        JsonNode add = w.get("modules").get(0);
        assertThat(add.get("name").asString()).isEqualTo("add");
        assertThat(add.get("exports").get("add").asString()).isEqualTo("(i32, i32) -> (i32)");
        assertThat(add.get("metered").asBoolean()).isTrue();
        assertThat(add.get("cache").asString()).isEqualTo("memory");
        assertThat(add.get("pool").get("created").asInt()).isEqualTo(1);
        assertThat(add.get("pool").get("remainingPoints").asLong()).isPositive();
        JsonNode one = get("/actuator/wasmer/spin");
        assertThat(one.get("exports").get("square").asString()).isEqualTo("(i64) -> (i64)");
        HttpResponse<String> missing = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/actuator/wasmer/nope"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(missing.statusCode()).isEqualTo(404);
    }

    @Test
    void healthInfoAndMetrics() throws Exception {
        JsonNode health = get("/actuator/health");
        assertThat(health.get("components").get("wasmer").get("status").asString())
                .isEqualTo("UP");
        assertThat(health.get("components")
                        .get("wasmer")
                        .get("details")
                        .get("version")
                        .asString())
                .isEqualTo("7.4.2");
        JsonNode info = get("/actuator/info");
        assertThat(info.get("wasmer").get("backend").asString()).isEqualTo("cranelift");
        JsonNode compiles = get("/actuator/metrics/wasmer.cache.compiles");
        assertThat(compiles.get("measurements").get(0).get("value").asDouble()).isEqualTo(3.0);
        JsonNode size = get("/actuator/metrics/wasmer.cache.size");
        assertThat(size.get("baseUnit").asString()).isEqualTo("modules");
        assertThat(size.get("measurements").get(0).get("value").asDouble()).isEqualTo(3.0);
        assertThat(pool.call("add", "add", 1, 1)).containsExactly(2);
        JsonNode calls =
                get("/actuator/metrics/wasmer.call?tag=wasmer.module:add&tag=wasmer.function:add&tag=outcome:success");
        assertThat(calls.get("baseUnit").asString()).isEqualTo("seconds");
        assertThat(calls.get("measurements").get(0).get("value").asDouble()).isGreaterThanOrEqualTo(1.0);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> pool.call("spin", "spin"))
                .isInstanceOf(dev.wasmerffm.MeteringExhaustedException.class);
        JsonNode traps = get("/actuator/metrics/wasmer.traps?tag=kind:out_of_points");
        assertThat(traps.get("measurements").get(0).get("value").asDouble()).isEqualTo(1.0);
        assertThat(traps.get("description").asString()).isEqualTo("Pooled calls stopped by a trap, by kind");
        JsonNode consumed = get("/actuator/metrics/wasmer.metering.consumed");
        assertThat(consumed.get("baseUnit").asString()).isEqualTo("points");
        assertThat(consumed.get("measurements").get(0).get("value").asDouble()).isPositive();
        JsonNode instantiations = get("/actuator/metrics/wasmer.instantiations?tag=module:spin");
        assertThat(instantiations.get("measurements").get(0).get("value").asDouble())
                .isEqualTo(1.0);
        JsonNode loads = get("/actuator/metrics/wasmer.module.load?tag=module:counter");
        assertThat(loads.get("measurements").get(0).get("value").asDouble()).isEqualTo(1.0);
        JsonNode gets = get("/actuator/metrics/wasmer.cache.gets?tag=result:miss");
        assertThat(gets.get("measurements").get(0).get("value").asDouble()).isEqualTo(3.0);
    }
}
