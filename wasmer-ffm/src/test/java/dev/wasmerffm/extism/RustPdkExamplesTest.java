package dev.wasmerffm.extism;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Plugins not written here: the examples of the Rust PDK (crate extism-pdk, its examples/ directory), built from the
 * crate's source by tools/build-extism-plugins.sh, with the results the PDK's authors check in their CI
 * (rust-pdk/.github/workflows/ci.yml): {@code extism call test/code.wasm count_vowels --input "this is a test"
 * --set-config='{"thing": "1", "a": "b"}'} prints {@code "count":4}; the host_function example linked with a host
 * whose {@code hello_world} multiplies the count by 10 prints {@code "count":40}; the http example returns the body
 * of the URL it is given (their CI checks {@code "userId": 1} in jsonplaceholder's todo 1, served here on loopback).
 */
class RustPdkExamplesTest {

    @Test
    void countVowelsGivesTheCountItsAuthorsExpect() {
        try (Plugin p = Plugin.builder()
                .wasm(Plugins.file("rust-pdk-count_vowels"))
                .config("thing", "1")
                .config("a", "b")
                .build()) {
            assertThat(p.call("count_vowels", "this is a test"))
                    .contains("\"count\":4")
                    .isEqualTo("{\"count\":4}");
        }
    }

    @Test
    void hostFunctionExampleGetsItsCountMultipliedByTheHost() {
        // hello_world as the authors' host_function_host.rs implements it: the JSON count times 10
        Pattern count = Pattern.compile("\"count\":(\\d+)");
        try (Plugin p = Plugin.builder()
                .wasm(Plugins.file("rust-pdk-host_function"))
                .hostFunction("hello_world", in -> {
                    Matcher m = count.matcher(new String(in, StandardCharsets.UTF_8));
                    assertThat(m.find()).isTrue();
                    return ("{\"count\":" + Integer.parseInt(m.group(1)) * 10 + "}").getBytes(StandardCharsets.UTF_8);
                })
                .build()) {
            assertThat(p.call("count_vowels", "this is a test")).contains("\"count\":40");
        }
    }

    @Test
    void httpExampleFetchesWhatItIsAskedFor() throws IOException {
        String todo =
                "{\n  \"userId\": 1,\n  \"id\": 1,\n  \"title\": \"delectus aut autem\",\n  \"completed\": false\n}";
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/todos/1", ex -> {
            byte[] body = todo.getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        server.start();
        try (Plugin p = Plugin.builder()
                .wasm(Plugins.file("rust-pdk-http"))
                .allowedHost("*")
                .build()) {
            String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/todos/1";
            assertThat(p.call("http_get", "{\"url\": \"" + url + "\"}"))
                    .contains("\"userId\": 1")
                    .isEqualTo(todo);
        } finally {
            server.stop(0);
        }
    }
}
