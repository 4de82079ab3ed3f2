package dev.wasmerffm.sample;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sample app's executable jar, started as a user would on a machine with nothing but a JDK: an empty home (so
 * no build cache, no ~/.wasmer), no WASMER_DIR, no wasmer.library.path and no JVM flags. libwasmer comes from the
 * wasmer-native jar nested in the executable jar.
 */
class ExecutableJarIT {

    static final Path JAR = Path.of(System.getProperty("sample.jar"));
    static final String JAVA = ProcessHandle.current().info().command().orElseThrow();
    static final Pattern PORT = Pattern.compile("started on port (\\d+)");
    static final Duration START = Duration.ofSeconds(180);

    @TempDir
    Path tmp;

    final List<App> apps = new ArrayList<>();

    /** One child JVM running the jar, its output going to a file. */
    record App(Process process, Path log) {
        String output() {
            try {
                return Files.readString(log);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** Waits for the HTTP port in the log; fails with the output when the JVM exits first. */
        int port() throws InterruptedException {
            long deadline = System.nanoTime() + START.toNanos();
            while (System.nanoTime() < deadline) {
                Matcher m = PORT.matcher(output());
                if (m.find()) {
                    return Integer.parseInt(m.group(1));
                }
                assertThat(process.isAlive())
                        .as("the app exited before serving:%n%s", output())
                        .isTrue();
                Thread.sleep(100);
            }
            throw new AssertionError("no port within " + START + ":\n" + output());
        }

        void stop() throws InterruptedException {
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        }
    }

    App start(Path home, String... jvmProperties) throws IOException {
        Files.createDirectories(home);
        List<String> command = new ArrayList<>(List.of(JAVA, "-Duser.home=" + home));
        command.addAll(List.of(jvmProperties));
        command.addAll(List.of(
                "-jar", JAR.toString(), "--server.port=0", "--wasmer.cache.directory=" + home.resolve("module-cache")));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        Map<String, String> env = pb.environment();
        Stream.of(
                        "WASMER_DIR",
                        "WASMER_JAVA_CACHE",
                        "XDG_CACHE_HOME",
                        "JAVA_TOOL_OPTIONS",
                        "JDK_JAVA_OPTIONS",
                        "_JAVA_OPTIONS")
                .forEach(env::remove);
        env.put("HOME", home.toString());
        Path log = Files.createTempFile(tmp, "app", ".log");
        App app = new App(pb.redirectOutput(log.toFile()).start(), log);
        apps.add(app);
        return app;
    }

    @AfterEach
    void stopAll() throws InterruptedException {
        for (App app : apps) {
            app.stop();
        }
    }

    static void assertAdds(int port) throws Exception {
        HttpResponse<String> add = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/plugins/math/add"))
                                .header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString("[40,2]"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(add.statusCode()).as(add.body()).isEqualTo(200);
        assertThat(add.body()).contains("\"results\":[42]");
    }

    static List<Path> extractedLibraries(Path home) throws IOException {
        try (Stream<Path> files = Files.walk(home)) {
            return files.filter(f -> f.getFileName().toString().contains("libwasmer"))
                    .toList();
        }
    }

    static String sha256(Path file) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    }

    @Test
    void startsAheadOfTimeProcessedAndAnswersThroughPoolAndModuleInterface() throws Exception {
        App app = start(tmp.resolve("home"), "-Dspring.aot.enabled=true");
        int port = app.port();
        assertAdds(port);
        HttpResponse<String> slug = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/text/slug"))
                                .header("Content-Type", "text/plain")
                                .POST(HttpRequest.BodyPublishers.ofString("Hello, AOT World"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(slug.statusCode()).as(slug.body()).isEqualTo(200);
        assertThat(slug.body()).contains("\"slug\":\"hello-aot-world\"");
        assertThat(app.output()).contains("Starting AOT-processed SampleApplication");
    }

    @Test
    void runsFromAnEmptyHomeWithNoFlagsAndNoWarning() throws Exception {
        Path home = tmp.resolve("home");
        App app = start(home);
        assertAdds(app.port());
        String out = app.output();
        assertThat(out).doesNotContain("restricted method").contains("extracted libwasmer 7.4.2");
        assertThat(extractedLibraries(home))
                .singleElement()
                .asString()
                .startsWith(home.resolve(".cache/wasmer-java/native/7.4.2-").toString());
        System.out.println("first start: "
                + out.lines().filter(l -> l.contains("extracted libwasmer")).toList());
    }

    @Test
    void twoJvmsStartingTogetherOnOneEmptyHomeBothWorkAndShareOneCopy() throws Exception {
        Path home = tmp.resolve("home");
        App first = start(home);
        App second = start(home);
        assertAdds(first.port());
        assertAdds(second.port());
        assertThat(extractedLibraries(home))
                .as("one library, no temporary files left")
                .hasSize(1);
    }

    @Test
    void aCorruptExtractedLibraryIsDetectedAndExtractedAgain() throws Exception {
        Path home = tmp.resolve("home");
        App first = start(home);
        first.port();
        first.stop();
        Path lib = extractedLibraries(home).getFirst();
        String good = sha256(lib);
        try (FileChannel f = FileChannel.open(lib, StandardOpenOption.WRITE)) {
            f.write(ByteBuffer.wrap(new byte[] {1, 2, 3, 4, 5, 6, 7, 8}), f.size() / 2);
        }
        assertThat(sha256(lib)).isNotEqualTo(good);
        App second = start(home);
        assertAdds(second.port());
        assertThat(second.output()).contains(lib + " does not match its SHA-256", "extracting it again");
        assertThat(sha256(lib)).isEqualTo(good);
        assertThat(extractedLibraries(home)).containsExactly(lib);
    }

    @Test
    void aPlatformWithNoJarNamesThePlatformTheJarAndTheOtherWays() throws Exception {
        App app = start(tmp.resolve("home"), "-Dos.arch=riscv64");
        assertThat(app.process().waitFor(START.toSeconds(), TimeUnit.SECONDS)).isTrue();
        String out = app.output();
        assertThat(app.process().exitValue()).as(out).isNotZero();
        assertThat(out)
                .contains(
                        "APPLICATION FAILED TO START",
                        "libwasmer not found for platform linux-riscv64",
                        "platform jar dev.wasmerffm:wasmer-native:linux-riscv64: not on the classpath",
                        "add the jar dev.wasmerffm:wasmer-native:linux-riscv64",
                        "<classifier>linux-riscv64</classifier>",
                        "set WASMER_DIR",
                        "-Dwasmer.library.path",
                        "build-libwasmer.sh");
    }

    /**
     * SIGTERM while a plugin runs an endless loop: Spring's graceful shutdown waits for in-flight requests (30 s by
     * default), but the call's deadline (4 s here) ends it, so the request is answered and the JVM exits right after.
     */
    @Test
    void aRunawayPluginCallDoesNotHoldUpGracefulShutdown() throws Exception {
        App app = start(tmp.resolve("home"), "-Dwasmer.modules.settings.stall.call-timeout=4s");
        long millis = sigtermWithStallInFlight(app);
        assertThat(app.output()).contains("Graceful shutdown complete");
        System.out.println("shutdown with a runaway call in flight took " + millis + " ms");
    }

    /**
     * SIGTERM while a plugin runs an endless loop whose deadline is an hour away: the graceful phase (3 s here) waits
     * for the request until it times out, then the starter stops the call, the request is answered (so Tomcat's
     * graceful shutdown still completes), and the JVM exits within the graceful phase and a little more.
     */
    @Test
    void anEndlessCallIsStoppedRightAfterTheGracefulPhase() throws Exception {
        App app = start(
                tmp.resolve("home"),
                "-Dwasmer.modules.settings.stall.call-timeout=1h",
                "-Dspring.lifecycle.timeout-per-shutdown-phase=3s");
        long millis = sigtermWithStallInFlight(app);
        assertThat(app.output())
                .as("the call ran through the graceful phase")
                .contains("after timeout of 3000ms: [webServerGracefulShutdown]");
        assertThat(millis).as("graceful phase 3 s + 1 s, + JVM exit").isBetween(2900L, 5000L);
        System.out.println("shutdown with an endless call (deadline 1 h) in flight took " + millis + " ms");
    }

    /**
     * Sends SIGTERM while a call of stall's endless loop runs; returns how long the JVM took to exit (at most 10 s)
     * once the call's request was answered 504 (its deadline passed, or the starter stopped it).
     */
    static long sigtermWithStallInFlight(App app) throws Exception {
        var inFlight = stallInFlight(app);
        long start = System.nanoTime();
        app.process().destroy(); // SIGTERM: a graceful shutdown
        assertThat(app.process().waitFor(10, TimeUnit.SECONDS))
                .as("the JVM exits well before the 30 s graceful timeout:%n%s", app.output())
                .isTrue();
        long millis = (System.nanoTime() - start) / 1_000_000;
        HttpResponse<String> response = inFlight.get(1, TimeUnit.SECONDS);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(504);
        return millis;
    }

    /** Starts a call of stall's endless loop and returns once it runs (the module's pool has an instance in use). */
    static java.util.concurrent.CompletableFuture<HttpResponse<String>> stallInFlight(App app) throws Exception {
        int port = app.port();
        var inFlight = HttpClient.newHttpClient()
                .sendAsync(
                        HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/plugins/stall/forever"))
                                .header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString("[]"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/actuator/wasmer/stall"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body()
                .contains("\"inUse\":1")) {
            assertThat(System.nanoTime())
                    .as("the call started:%n%s", app.output())
                    .isLessThan(deadline);
            Thread.sleep(50);
        }
        return inFlight;
    }
}
