package dev.wasmerffm.spring.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wasmerffm.DeadlineExceededException;
import dev.wasmerffm.pool.PoolClosedException;
import dev.wasmerffm.pool.WasmInstancePool;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Import;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Safe by default: a call has a deadline unless turned off, and when the context closes the calls still running
 * are stopped right after the web server's graceful phase, so an endless plugin loop never holds shutdown longer.
 */
class WasmerShutdownTests {

    @SpringBootConfiguration
    @EnableAutoConfiguration
    @Import(SpinController.class)
    static class App {}

    @RestController
    static class SpinController {
        private final WasmInstancePool pool;

        SpinController(WasmInstancePool pool) {
            this.pool = pool;
        }

        /** How the last call ended, and when ({@link System#nanoTime()}). */
        static volatile String outcome = "";

        static volatile long endedAt;

        @PostMapping("/spin")
        String spin() {
            try {
                pool.call("spin", "spin");
                outcome = "returned";
            } catch (DeadlineExceededException e) {
                outcome = "stopped";
            } catch (RuntimeException e) {
                outcome = e.toString();
            }
            endedAt = System.nanoTime();
            return outcome;
        }
    }

    /**
     * A request runs an endless loop whose deadline is an hour away: closing the context waits out the 2 s graceful
     * phase (the request is in flight, so the call is not stopped earlier), then stops the call at once, and the
     * request is answered.
     */
    @Test
    void anEndlessCallEndsWithinTheGracefulPhasePlusOneSecond() throws Exception {
        ConfigurableApplicationContext ctx = new SpringApplicationBuilder(App.class)
                .properties(
                        "server.port=0",
                        "server.shutdown=graceful",
                        "spring.lifecycle.timeout-per-shutdown-phase=2s",
                        "management.health.redis.enabled=false",
                        "wasmer.cache.enabled=false",
                        "wasmer.limits.call-timeout=1h",
                        "wasmer.modules.locations=classpath:wasm/spin.wat")
                .run();
        WasmInstancePool pool = ctx.getBean(WasmInstancePool.class);
        int port = ((WebServerApplicationContext) ctx).getWebServer().getPort();
        CompletableFuture<HttpResponse<String>> inFlight = HttpClient.newHttpClient()
                .sendAsync(
                        HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/spin"))
                                .POST(HttpRequest.BodyPublishers.noBody())
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        long waitFrom = System.nanoTime();
        while (pool.stats().get("spin") == null || pool.stats().get("spin").inUse() == 0) {
            assertThat(System.nanoTime() - waitFrom).as("the call started").isLessThan(10_000_000_000L);
            Thread.sleep(10);
        }
        Thread.sleep(200); // in wasm
        long t0 = System.nanoTime();
        ctx.close();
        Duration took = Duration.ofNanos(System.nanoTime() - t0);
        System.out.println("context close with an endless call in flight took " + took.toMillis() + " ms; the call "
                + SpinController.outcome + " after " + (SpinController.endedAt - t0) / 1_000_000 + " ms");
        assertThat(SpinController.outcome).isEqualTo("stopped");
        assertThat(Duration.ofNanos(SpinController.endedAt - t0))
                .as("the call ran through the graceful phase, and was stopped right after it")
                .isBetween(Duration.ofMillis(1900), Duration.ofSeconds(3));
        assertThat(took)
                .as("then the server stops and the beans close, which the loaded test machine takes its time for")
                .isBetween(Duration.ofMillis(1900), Duration.ofSeconds(4));
        HttpResponse<String> response = inFlight.get(1, TimeUnit.SECONDS);
        assertThat(response.body()).isEqualTo("stopped");
        assertThatThrownBy(() -> pool.call("spin", "square", 3L))
                .isInstanceOf(PoolClosedException.class)
                .hasMessageContaining("'spin'");
    }

    @Test
    void runningCallsStopAfterTheGracefulPhaseAndBeforeTheWebServerStops() {
        assertThat(WasmerCallsLifecycle.PHASE)
                .isLessThan(WebServerApplicationContext.GRACEFUL_SHUTDOWN_PHASE)
                .isGreaterThan(WebServerApplicationContext.START_STOP_LIFECYCLE_PHASE);
    }
}
