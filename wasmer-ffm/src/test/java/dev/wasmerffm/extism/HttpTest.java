package dev.wasmerffm.extism;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A plugin's http_request on the host side: the allow-list's globs, methods and bodies, and the limits. */
class HttpTest {

    static HttpServer server;
    static String base;

    @BeforeAll
    static void serve() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/echo", ex -> {
            byte[] body = (ex.getRequestMethod() + " "
                            + new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8))
                    .getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        server.createContext("/slow", ex -> {
            try {
                Thread.sleep(2_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            ex.sendResponseHeaders(200, -1);
            ex.close();
        });
        server.createContext("/moved", ex -> {
            ex.getResponseHeaders().add("Location", "http://example.com/");
            ex.sendResponseHeaders(302, -1);
            ex.close();
        });
        server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        server.start();
        base = "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @AfterAll
    static void stop() {
        server.stop(0);
    }

    @Test
    void globsMatchHostsAsExtismsDo() {
        assertThat(Http.allowed(List.of("*.example.com"), "api.example.com")).isTrue();
        assertThat(Http.allowed(List.of("*.example.com"), "a.b.example.com")).isTrue();
        assertThat(Http.allowed(List.of("*.example.com"), "example.com")).isFalse();
        assertThat(Http.allowed(List.of("*.example.com"), "evil.com")).isFalse();
        assertThat(Http.allowed(List.of("api.example.com"), "API.Example.com")).isTrue();
        assertThat(Http.allowed(List.of("127.0.0.?"), "127.0.0.1")).isTrue();
        assertThat(Http.allowed(List.of("127.0.0.?"), "127.0.0.10")).isFalse();
        assertThat(Http.allowed(List.of("*"), "anything")).isTrue();
        assertThat(Http.allowed(List.of(), "anything")).isFalse();
        assertThat(Http.allowed(List.of("a*b*c*d*e*f*g*h*i*j*k"), "a".repeat(40)))
                .isFalse(); // no blow-up
    }

    private static Http.Response send(Map<String, Object> request, byte[] body, Duration timeout)
            throws InterruptedException {
        return Http.send(request, body, List.of("127.0.0.1"), 1 << 20, timeout);
    }

    @Test
    void sendsTheMethodHeadersAndBody() throws Exception {
        Http.Response r = send(
                Map.of("url", base + "/echo", "method", "post", "headers", Map.of("X-A", "1")),
                "payload".getBytes(StandardCharsets.UTF_8),
                Duration.ofSeconds(5));
        assertThat(r.status()).isEqualTo(200);
        assertThat(new String(r.body(), StandardCharsets.UTF_8)).isEqualTo("POST payload");
        assertThat(r.headers()).containsKey("content-length");
    }

    @Test
    void aRedirectIsReturnedNotFollowed() throws Exception {
        Http.Response r = send(Map.of("url", base + "/moved"), null, Duration.ofSeconds(5));
        assertThat(r.status()).isEqualTo(302);
        assertThat(r.headers()).containsEntry("location", "http://example.com/");
    }

    @Test
    void aSlowServerIsCutOffAtTheTimeout() {
        long t = System.nanoTime();
        assertThatThrownBy(() -> send(Map.of("url", base + "/slow"), null, Duration.ofMillis(200)))
                .isInstanceOf(PluginException.class)
                .hasMessageContaining("took longer than PT0.2S");
        assertThat(Duration.ofNanos(System.nanoTime() - t)).isLessThan(Duration.ofMillis(1500));
        assertThat(Http.timeout(Duration.ofSeconds(30), System.nanoTime() + 1_000_000_000L))
                .isLessThanOrEqualTo(Duration.ofSeconds(1));
        assertThat(Http.timeout(Duration.ofSeconds(30), 0)).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void badRequestsAreNamed() {
        assertThatThrownBy(() -> send(Map.of(), null, Duration.ofSeconds(1))).hasMessageContaining("no \"url\"");
        assertThatThrownBy(() -> send(Map.of("url", "ftp://127.0.0.1/x"), null, Duration.ofSeconds(1)))
                .hasMessageContaining("only http and https");
        assertThatThrownBy(() -> send(Map.of("url", "http://[bad"), null, Duration.ofSeconds(1)))
                .hasMessageContaining("invalid URL");
        assertThatThrownBy(() -> send(
                        Map.of("url", base + "/echo", "headers", Map.of("Host", "x")), null, Duration.ofSeconds(1)))
                .hasMessageContaining("HTTP header Host cannot be set");
        assertThatThrownBy(
                        () -> send(Map.of("url", base + "/echo", "method", "BAD METHOD"), null, Duration.ofSeconds(1)))
                .hasMessageContaining("invalid HTTP request");
        assertThatThrownBy(() -> send(Map.of("url", "http://127.0.0.1:1/"), null, Duration.ofSeconds(2)))
                .isInstanceOf(PluginException.class)
                .hasMessageContaining("failed");
    }
}
