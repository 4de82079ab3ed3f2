package dev.wasmerffm.sample;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The sample app over real HTTP, as the README's curl calls use it. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = "wasmer.cache.enabled=false")
class SampleApplicationTests {

    @LocalServerPort
    int port;

    HttpResponse<String> send(String method, String path, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .header("Content-Type", "application/json");
        b.method(
                method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    JsonNode json(HttpResponse<String> r) {
        return JsonMapper.builder().build().readTree(r.body());
    }

    @Test
    void listsPluginsAndCallsThem() throws Exception {
        JsonNode plugins = json(send("GET", "/plugins", null));
        assertThat(plugins.get(0).get("name").asString()).isEqualTo("math");
        assertThat(plugins.get(0).get("functions").get("fib").asString()).isEqualTo("(i64) -> (i64)");
        HttpResponse<String> add = send("POST", "/plugins/math/add", "[40, 2]");
        assertThat(add.statusCode()).isEqualTo(200);
        assertThat(json(add).get("results").get(0).asInt()).isEqualTo(42);
        JsonNode numbers = plugins.get(1);
        assertThat(numbers.get("name").asString()).isEqualTo("numbers"); // compiled from C by the build
        assertThat(numbers.get("functions").get("isqrt").asString()).isEqualTo("(i64) -> (i64)");
        assertThat(json(send("POST", "/plugins/numbers/collatz", "[27]"))
                        .get("results")
                        .get(0)
                        .asInt())
                .isEqualTo(111);
        assertThat(json(send("POST", "/plugins/numbers/isqrt", "[1000000]"))
                        .get("results")
                        .get(0)
                        .asLong())
                .isEqualTo(1000);
        JsonNode fib = json(send("POST", "/plugins/math/fib", "[20]"));
        assertThat(fib.get("results").get(0).asLong()).isEqualTo(6765);
        assertThat(fib.get("pointsUsed").asLong()).isPositive();
        assertThat(fib.get("nanos").asLong()).isPositive();
    }

    @Test
    void anOrderGoesAsJsonThroughTheExtismPluginBuiltFromItsRustSource() throws Exception {
        HttpResponse<String> ok = send(
                "POST",
                "/orders/classify",
                "{\"customer\":\"Ada\",\"items\":[{\"sku\":\"book\",\"quantity\":2,\"priceCents\":1500},"
                        + "{\"sku\":\"lamp\",\"quantity\":1,\"priceCents\":4200}]}");
        assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
        assertThat(json(ok).get("approved").asBoolean()).isTrue();
        assertThat(json(ok).get("totalCents").asLong()).isEqualTo(7200);
        assertThat(json(ok).get("reason").asString())
                .as("the limit comes from application.yml's plugin.config")
                .isEqualTo("within the limit of 50000 cents");
        JsonNode over = json(send(
                "POST",
                "/orders/classify",
                "{\"customer\":\"Bo\",\"items\":[{\"sku\":\"car\",\"quantity\":1,\"priceCents\":900000}]}"));
        assertThat(over.get("approved").asBoolean()).isFalse();
        assertThat(over.get("reason").asString()).isEqualTo("over the limit of 50000 cents, mostly car");
        HttpResponse<String> empty = send("POST", "/orders/classify", "{\"customer\":\"Cy\",\"items\":[]}");
        assertThat(empty.statusCode()).isEqualTo(422);
        assertThat(json(empty).get("title").asString()).isEqualTo("Plugin error");
        assertThat(json(empty).get("detail").asString()).isEqualTo("order of Cy has no items");
    }

    @Test
    void eachCallIsOneObservationWhoseTimerTheActuatorShows() throws Exception {
        assertThat(send("POST", "/plugins/math/add", "[1, 2]").statusCode()).isEqualTo(200);
        JsonNode call = json(send(
                "GET",
                "/actuator/metrics/wasmer.call?tag=wasmer.module:math&tag=wasmer.function:add&tag=outcome:success",
                null));
        assertThat(call.get("baseUnit").asString()).isEqualTo("seconds");
        assertThat(call.get("measurements").get(0).get("value").asDouble()).isGreaterThanOrEqualTo(1.0);
        List<String> names = new ArrayList<>();
        json(send("GET", "/actuator/metrics", null)).get("names").forEach(n -> names.add(n.asString()));
        assertThat(names)
                .as("the call timer is the observation's, and the only one")
                .contains("wasmer.call", "wasmer.call.active")
                .doesNotContain("wasmer.calls");
    }

    @Test
    void aPluginUploadedWhileTheAppRunsCanBeCalledReplacedAndRemoved() throws Exception {
        HttpResponse<String> up =
                send("PUT", "/plugins/answer", "(module (func (export \"answer\") (result i32) i32.const 41))");
        assertThat(up.statusCode()).as(up.body()).isEqualTo(200);
        assertThat(json(up).get("functions").get("answer").asString()).isEqualTo("() -> (i32)");
        assertThat(json(send("POST", "/plugins/answer/answer", null))
                        .get("results")
                        .get(0)
                        .asInt())
                .isEqualTo(41);
        send("PUT", "/plugins/answer", "(module (func (export \"answer\") (result i32) i32.const 42))");
        assertThat(json(send("POST", "/plugins/answer/answer", null))
                        .get("results")
                        .get(0)
                        .asInt())
                .isEqualTo(42);
        HttpResponse<String> bad = send("PUT", "/plugins/answer", "(module (func");
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(json(bad).get("detail").asString()).contains("'answer'", "invalid WAT");
        assertThat(send("DELETE", "/plugins/answer", null).statusCode()).isEqualTo(204);
        assertThat(send("POST", "/plugins/answer/answer", null).statusCode()).isEqualTo(404);
        assertThat(send("DELETE", "/plugins/answer", null).statusCode()).isEqualTo(404);
    }

    @Test
    void theTextPluginRunsThroughItsJavaInterfaceAndLogsThroughABean() throws Exception {
        HttpResponse<String> slug = send("POST", "/text/slug", "Hello, Wasm World! 2026");
        assertThat(slug.statusCode()).isEqualTo(200);
        assertThat(json(slug).get("slug").asString()).isEqualTo("hello-wasm-world-2026");
        assertThat(json(slug).get("words").asInt()).isEqualTo(4);
        JsonNode log = json(send("GET", "/text/log", null));
        assertThat(log.get(log.size() - 1).asString()).isEqualTo("Hello, Wasm World! 2026");
        JsonNode text = json(send("GET", "/actuator/wasmer/text", null));
        assertThat(text.get("imports").get(0).asString())
                .isEqualTo("env.log: (i32, i32) -> () <- @WasmHostFunction "
                        + "PluginLog.log(HostCall, int, int) of bean 'pluginLog'");
    }

    @Test
    void anEndlessLoopAndATrapAnswer422AndTheAppKeepsServing() throws Exception {
        HttpResponse<String> spin = send("POST", "/plugins/spin/forever", "[]");
        assertThat(spin.statusCode()).isEqualTo(422);
        assertThat(json(spin).get("title").asString()).isEqualTo("Metering limit reached");
        HttpResponse<String> div = send("POST", "/plugins/math/div", "[1, 0]");
        assertThat(div.statusCode()).isEqualTo(422);
        assertThat(json(div).get("detail").asString()).contains("integer divide by zero");
        assertThat(json(send("POST", "/plugins/math/add", "[1, 2]"))
                        .get("results")
                        .get(0)
                        .asInt())
                .isEqualTo(3);
    }

    @Test
    void aPluginPastItsDeadlineAnswers504AndTheAppKeepsServing() throws Exception {
        for (int i = 0; i < 5; i++) { // more calls than pool slots: each stopped instance is replaced
            HttpResponse<String> stall = send("POST", "/plugins/stall/forever", "[]");
            assertThat(stall.statusCode()).isEqualTo(504);
            assertThat(json(stall).get("title").asString()).isEqualTo("Plugin call timed out");
            assertThat(json(stall).get("detail").asString()).contains("deadline of 200 ms exceeded");
        }
        assertThat(json(send("POST", "/plugins/math/add", "[1, 2]"))
                        .get("results")
                        .get(0)
                        .asInt())
                .isEqualTo(3);
        JsonNode stall = json(send("GET", "/actuator/wasmer/stall", null));
        assertThat(stall.get("pool").get("deadlines").asInt()).isEqualTo(5);
    }

    @Test
    void badInputIsAProblemDetail() throws Exception {
        assertThat(send("POST", "/plugins/nope/add", "[]").statusCode()).isEqualTo(404);
        assertThat(send("POST", "/plugins/math/nope", "[]").statusCode()).isEqualTo(404);
        HttpResponse<String> count = send("POST", "/plugins/math/add", "[1]");
        assertThat(count.statusCode()).isEqualTo(400);
        assertThat(json(count).get("detail").asString()).contains("expected 2 arguments");
        assertThat(send("POST", "/plugins/math/add", "not json").statusCode()).isEqualTo(400);
        assertThat(send("GET", "/actuator/wasmer", null).statusCode()).isEqualTo(200);
        assertThat(json(send("GET", "/actuator/health", null))
                        .get("components")
                        .get("wasmer")
                        .get("status")
                        .asString())
                .isEqualTo("UP");
    }

    @Test
    void runsAWasiProgramWithArgsAndStdin() throws Exception {
        HttpResponse<String> r = send("POST", "/wasi/greet", "{\"args\": [\"Ada\", \"Linus\"], \"stdin\": \"abc\"}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode body = json(r);
        assertThat(body.get("exitCode").asInt()).isEqualTo(2);
        assertThat(body.get("stdout").asString()).isEqualTo("hello, Ada\nhello, Linus\n");
        assertThat(body.get("stderr").asString()).isEqualTo("stdin reversed: cba\n");
        assertThat(send("POST", "/wasi/nope", "{}").statusCode()).isEqualTo(404);
    }

    @Test
    void thePlaygroundRunsPastedWat() throws Exception {
        HttpResponse<String> r = send(
                "POST",
                "/playground",
                "{\"wat\": \"(module (func (export \\\"sq\\\") (param i32) (result i32) local.get 0 local.get 0 i32.mul))\","
                        + " \"function\": \"sq\", \"args\": [7]}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(json(r).get("results").get(0).asInt()).isEqualTo(49);
        HttpResponse<String> bad = send("POST", "/playground", "{\"wat\": \"(module (\", \"function\": \"f\"}");
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(json(bad).get("detail").asString()).contains("invalid WAT");
        assertThat(send("GET", "/", null).body()).contains("Wasmer playground");
    }
}
