package dev.wasmerffm.sample;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wasmerffm.DeadlineExceededException;
import dev.wasmerffm.pool.WasmInstancePool;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.web.servlet.function.RouterFunction;
import org.springframework.web.servlet.function.RouterFunctions;
import org.springframework.web.servlet.function.ServerResponse;

/**
 * {@code spring.threads.virtual.enabled=true}: requests run on virtual threads, and four plugin calls spinning for
 * 3 s on this 2-core machine do not hold the carriers (the binding runs them on platform threads), so {@code /ping},
 * which runs no wasm, answers at once. With {@code -Ddev.wasmerffm.platformCallThreads=0} (calls stay on the virtual
 * thread, as before) it waits for the calls.
 */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "spring.threads.virtual.enabled=true",
            "wasmer.cache.enabled=false",
            "wasmer.modules.settings.spin.points=9223372036854775807",
            "wasmer.modules.settings.spin.call-timeout=3s"
        })
class VirtualThreadsTests {

    static final int CALLS = 4;

    @TestConfiguration(proxyBeanMethods = false)
    static class Routes {
        @Bean
        RouterFunction<ServerResponse> pingAndSpin(WasmInstancePool pool) {
            return RouterFunctions.route()
                    .GET("/ping", request -> ServerResponse.ok().body("pong"))
                    .POST("/spin", request -> {
                        try {
                            pool.call("spin", "forever");
                            return ServerResponse.ok().body("returned");
                        } catch (DeadlineExceededException e) {
                            return ServerResponse.ok()
                                    .body("deadline " + Thread.currentThread().isVirtual());
                        }
                    })
                    .build();
        }
    }

    @LocalServerPort
    int port;

    @Autowired
    WasmInstancePool pool;

    final HttpClient http = HttpClient.newHttpClient();

    HttpRequest request(String method, String path) {
        return HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .method(method, HttpRequest.BodyPublishers.noBody())
                .timeout(Duration.ofSeconds(30))
                .build();
    }

    @Test
    void pingStaysFastWhileFourLongPluginCallsRun() throws Exception {
        http.send(request("GET", "/ping"), HttpResponse.BodyHandlers.ofString()); // the first request's setup
        List<CompletableFuture<HttpResponse<String>>> spins = new ArrayList<>();
        for (int i = 0; i < CALLS; i++) {
            spins.add(http.sendAsync(request("POST", "/spin"), HttpResponse.BodyHandlers.ofString()));
        }
        long until = System.nanoTime() + 1_000_000_000L;
        while (inUse() < CALLS && System.nanoTime() < until) {
            Thread.sleep(10);
        }
        int runningBefore = inUse();
        long worst = 0;
        for (int i = 0; i < 5; i++) {
            long t0 = System.nanoTime();
            HttpResponse<String> ping = http.send(request("GET", "/ping"), HttpResponse.BodyHandlers.ofString());
            worst = Math.max(worst, System.nanoTime() - t0);
            assertThat(ping.body()).isEqualTo("pong");
        }
        int runningAfter = inUse();
        assertThat(worst / 1_000_000).as("slowest /ping in ms").isLessThan(500);
        assertThat(List.of(runningBefore, runningAfter))
                .as("calls running before and after the pings")
                .containsOnly(CALLS);
        for (CompletableFuture<HttpResponse<String>> spin : spins) {
            assertThat(spin.get().body())
                    .as("stopped at its deadline, on a virtual thread")
                    .isEqualTo("deadline true");
        }
    }

    private int inUse() {
        WasmInstancePool.Stats s = pool.stats().get("spin");
        return s == null ? 0 : s.inUse();
    }
}
