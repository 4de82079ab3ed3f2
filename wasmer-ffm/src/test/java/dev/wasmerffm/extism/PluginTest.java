package dev.wasmerffm.extism;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.wasmerffm.DeadlineExceededException;
import dev.wasmerffm.MeteringExhaustedException;
import dev.wasmerffm.NoSuchExportException;
import dev.wasmerffm.TrapException;
import dev.wasmerffm.TrapKind;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The Go PDK and Rust PDK test plugins (src/test/extism) through {@link Plugin}: the same exports in both languages,
 * each compiled once per class (the Go plugin, 3.6 MB, takes seconds).
 */
class PluginTest {

    @TempDir
    static Path dir;

    static HttpServer server;
    static final AtomicReference<String> lastPluginHeader = new AtomicReference<>();
    static final Map<String, CompiledPlugin> compiled = new ConcurrentHashMap<>();

    @BeforeAll
    static void serve() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/hello", ex -> {
            lastPluginHeader.set(ex.getRequestHeaders().getFirst("X-Plugin"));
            byte[] body = "hello from the host".getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("X-Answer", "42");
            ex.sendResponseHeaders(201, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        server.createContext("/big", ex -> {
            ex.sendResponseHeaders(200, 0);
            ex.getResponseBody().write(new byte[64 * 1024]);
            ex.close();
        });
        server.start();
        Files.writeString(dir.resolve("note.txt"), "a file under an allowed path");
    }

    @AfterAll
    static void stop() {
        server.stop(0);
        compiled.values().forEach(CompiledPlugin::close);
    }

    static String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    /** The plugin with config, a host function, loopback HTTP allowed, a directory; compiled once per language. */
    static Plugin plugin(String name) {
        return compiled.computeIfAbsent(name, n -> Plugin.builder()
                        .wasm(Plugins.file(n))
                        .config("vowels", "aeiouy")
                        .allowedHost("127.0.0.*")
                        .maxHttpResponseBytes(16 * 1024)
                        .allowedPath(dir, "/data")
                        .hostFunction("shout", in -> new String(in, StandardCharsets.UTF_8)
                                .toUpperCase(Locale.ROOT)
                                .getBytes(StandardCharsets.UTF_8))
                        .compile())
                .instantiate();
    }

    @ParameterizedTest
    @ValueSource(strings = {Plugins.GO, Plugins.RUST})
    void countsVowelsWithConfigAndKeepsATotalInVars(String name) {
        try (Plugin p = plugin(name)) {
            assertThat(p.call("count_vowels", "Happy day, yes"))
                    .isEqualTo("{\"count\":6,\"total\":6,\"vowels\":\"aeiouy\"}");
            assertThat(p.call("count_vowels", "you")).isEqualTo("{\"count\":3,\"total\":9,\"vowels\":\"aeiouy\"}");
            try (Plugin other = plugin(name)) {
                assertThat(other.call("count_vowels", "you"))
                        .as("vars are per plugin")
                        .contains("\"total\":3");
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {Plugins.GO, Plugins.RUST})
    void jsonInJsonOut(String name) {
        try (Plugin p = plugin(name)) {
            assertThat(p.call("greet_json", "{\"name\":\"Ada\",\"age\":36}"))
                    .isEqualTo("{\"message\":\"Hello, Ada!\",\"nextAge\":37}");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {Plugins.GO, Plugins.RUST})
    void echoesEmptySmallAndLargeInputsByteForByte(String name) {
        try (Plugin p = plugin(name)) {
            assertThat(p.call("echo", new byte[0])).isEmpty();
            byte[] big = new byte[3 << 20]; // 3 MiB: past the kernel's first megabyte, so its memory grows
            new java.util.Random(7).nextBytes(big);
            assertThat(p.call("echo", big)).isEqualTo(big);
            assertThat(p.call("echo", "small")).isEqualTo("small");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {Plugins.GO, Plugins.RUST})
    void anErrorIsAPluginExceptionWithThePluginsMessageAndThePluginGoesOn(String name) {
        try (Plugin p = plugin(name)) {
            assertThatThrownBy(() -> p.call("fail", "no way")).isInstanceOfSatisfying(PluginException.class, e -> {
                assertThat(e.pluginMessage()).isEqualTo("refused: no way");
                assertThat(e.returnCode()).isEqualTo(1);
                assertThat(e.function()).isEqualTo("fail");
            });
            assertThat(p.call("echo", "still here")).isEqualTo("still here");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {Plugins.GO, Plugins.RUST})
    void callsAHostFunctionInExtismHostUser(String name) {
        try (Plugin p = plugin(name)) {
            assertThat(p.call("call_host", "quiet words")).isEqualTo("QUIET WORDS");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {Plugins.GO, Plugins.RUST})
    void anAllowedHttpRequestReachesTheLoopbackServer(String name) {
        try (Plugin p = plugin(name)) {
            assertThat(p.call("http_get", url("/hello"))).isEqualTo("201 hello from the host");
            assertThat(lastPluginHeader.get()).isEqualTo(name.startsWith("go") ? "go" : "rust");
            assertThat(p.lastResponse.headers()).containsEntry("x-answer", "42");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {Plugins.GO, Plugins.RUST})
    void aRequestToAHostNotAllowedIsRefusedBeforeAnyConnection(String name) {
        lastPluginHeader.set(null);
        try (Plugin p = plugin(name)) {
            // the same server, under a name the allow-list does not match
            String denied = "http://localhost:" + server.getAddress().getPort() + "/hello";
            assertThatThrownBy(() -> p.call("http_get", denied)).isInstanceOfSatisfying(TrapException.class, e -> {
                assertThat(e.kind()).isEqualTo(TrapKind.HOST);
                assertThat(e.getCause())
                        .isInstanceOf(PluginException.class)
                        .hasMessageContaining("HTTP request to " + denied + " is not allowed");
            });
            assertThat(lastPluginHeader.get()).isNull();
            assertThat(p.call("echo", "after"))
                    .as("a fresh store serves the next call")
                    .isEqualTo("after");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {Plugins.GO, Plugins.RUST})
    void aResponseOverTheSizeLimitIsRefused(String name) {
        try (Plugin p = plugin(name)) {
            assertThatThrownBy(() -> p.call("http_get", url("/big")))
                    .isInstanceOf(TrapException.class)
                    .cause()
                    .hasMessageContaining("exceeds the maximum of 16384 bytes");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {Plugins.GO, Plugins.RUST})
    void anUnknownFunctionIsNamed(String name) {
        try (Plugin p = plugin(name)) {
            assertThat(p.functionExists("echo")).isTrue();
            assertThatThrownBy(() -> p.call("nope", "x"))
                    .isInstanceOf(NoSuchExportException.class)
                    .hasMessageContaining("no function nope");
        }
    }

    @org.junit.jupiter.api.Test
    void theGoPluginReadsAFileUnderAnAllowedPathAndNothingElse() {
        try (Plugin p = plugin(Plugins.GO)) {
            assertThat(p.call("read_file", "/data/note.txt")).isEqualTo("a file under an allowed path");
            assertThatThrownBy(() -> p.call("read_file", "/etc/passwd"))
                    .isInstanceOf(PluginException.class)
                    .hasMessageContaining("/etc/passwd");
            assertThatThrownBy(() -> p.call("read_file", "/data/../../etc/passwd"))
                    .isInstanceOf(PluginException.class);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {Plugins.GO, Plugins.RUST})
    void anEndlessLoopStopsAtTheDeadlineAndThePluginServesOn(String name) {
        try (CompiledPlugin c = Plugin.builder()
                        .wasm(Plugins.file(name))
                        .timeout(Duration.ofMillis(200))
                        .hostFunction("shout", in -> in)
                        .compile();
                Plugin p = c.instantiate()) {
            long t = System.nanoTime();
            assertThatThrownBy(() -> p.call("spin", "")).isInstanceOf(DeadlineExceededException.class);
            assertThat(Duration.ofNanos(System.nanoTime() - t)).isLessThan(Duration.ofSeconds(5));
            assertThat(p.call("echo", "alive")).isEqualTo("alive");
        }
    }

    @org.junit.jupiter.api.Test
    void anEndlessLoopRunsOutOfPoints() {
        try (Plugin p = Plugin.builder()
                .wasm(Plugins.file(Plugins.RUST))
                .points(5_000_000)
                .hostFunction("shout", in -> in)
                .build()) {
            assertThat(p.call("echo", "cheap")).isEqualTo("cheap");
            assertThatThrownBy(() -> p.call("spin", "")).isInstanceOf(MeteringExhaustedException.class);
            for (int i = 0; i < 3; i++) {
                assertThat(p.call("echo", "points are per call")).isEqualTo("points are per call");
            }
        }
    }

    @org.junit.jupiter.api.Test
    void logsGoToTheSystemLoggerOfThePluginsName() {
        // the JDK's default System.Logger is java.util.logging under the same name
        java.util.logging.Logger jul = java.util.logging.Logger.getLogger("vowels-logged");
        java.util.List<String> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.logging.Handler h = new java.util.logging.Handler() {
            @Override
            public void publish(java.util.logging.LogRecord r) {
                seen.add(r.getLevel() + " " + r.getMessage());
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        };
        jul.addHandler(h);
        try (Plugin p = Plugin.builder()
                .wasm(Plugins.file(Plugins.RUST))
                .name("vowels-logged")
                .logLevel(Level.INFO)
                .hostFunction("shout", in -> in)
                .build()) {
            p.call("count_vowels", "aeiou");
            assertThat(seen).containsExactly("INFO counted 5 vowels");
        } finally {
            jul.removeHandler(h);
        }
    }
}
