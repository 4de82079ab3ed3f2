package dev.wasmerffm.extism;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wasmerffm.DeadlineExceededException;
import dev.wasmerffm.TrapException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Re-entry, close mid-call, races, hostile sizes and offsets, use after close; on the Rust plugin. */
class PluginAdversarialTest {

    private static final dev.wasmerffm.FuncType OFFSET_TO_OFFSET =
            dev.wasmerffm.FuncType.of(List.of(dev.wasmerffm.ValType.I64), List.of(dev.wasmerffm.ValType.I64));

    private static Plugin.Builder rustBuilder() {
        return Plugin.builder().wasm(Plugins.file(Plugins.RUST));
    }

    private static Plugin rust(UnaryOperator<byte[]> shout) {
        return rustBuilder().hostFunction("shout", shout).build();
    }

    /** On a virtual thread the call runs on a platform thread, where the plugin's lock is not held: no wait for it. */
    @ParameterizedTest(name = "from a virtual thread: {0}")
    @ValueSource(booleans = {false, true})
    void aHostFunctionCallingItsOwnPluginIsRefusedAndThePluginGoesOn(boolean virtual) throws Exception {
        AtomicReference<Plugin> self = new AtomicReference<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        try (Plugin p = rust(in -> self.get().call("echo", in))) {
            self.set(p);
            Thread caller = (virtual ? Thread.ofVirtual() : Thread.ofPlatform()).start(() -> {
                try {
                    p.call("call_host", "x");
                } catch (Throwable e) {
                    failure.set(e);
                }
            });
            assertThat(caller.join(java.time.Duration.ofSeconds(30))).isTrue();
            assertThat(failure.get())
                    .isInstanceOf(TrapException.class)
                    .cause()
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("cannot be called from its own host function");
            assertThat(p.call("echo", "fine")).isEqualTo("fine");
        }
    }

    @Test
    void theHandOffCarriesTheCallersContextToHostFunctionsOfAVirtualThreadsCall() throws Exception {
        ThreadLocal<String> context = new ThreadLocal<>();
        List<String> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (Plugin p = rustBuilder()
                .hostFunction("shout", in -> {
                    seen.add((Thread.currentThread().isVirtual() ? "virtual " : "platform ") + context.get());
                    return in;
                })
                .handOff(dev.wasmerffm.HandOffs.carrying(context))
                .build()) {
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread caller = Thread.ofVirtual().start(() -> {
                context.set("request 7");
                try {
                    assertThat(p.call("call_host", "x")).isEqualTo("x");
                } catch (Throwable e) {
                    failure.set(e);
                }
            });
            assertThat(caller.join(Duration.ofSeconds(30))).isTrue();
            assertThat(failure.get()).isNull();
            assertThat(seen).containsExactly("platform request 7");
        }
    }

    @Test
    void closingFromAHostFunctionLetsTheCallFinishAndRefusesTheNext() {
        AtomicReference<Plugin> self = new AtomicReference<>();
        Plugin p = rust(in -> {
            self.get().close();
            return in;
        });
        self.set(p);
        assertThat(p.call("call_host", "last words")).isEqualTo("last words");
        assertThatThrownBy(() -> p.call("echo", "x"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed");
    }

    @Test
    void closingFromAnotherThreadNeverWaitsForTheRunningCall() throws Exception {
        try (CompiledPlugin c = rustBuilder()
                .timeout(Duration.ofMillis(500))
                .hostFunction("shout", in -> in)
                .compile()) {
            Plugin p = c.instantiate();
            p.call("echo", "warm"); // instantiated before the race
            ExecutorService ex = Executors.newSingleThreadExecutor();
            try {
                Future<?> spinning = ex.submit(() -> p.call("spin", ""));
                Thread.sleep(100);
                long t = System.nanoTime();
                p.close();
                assertThat(Duration.ofNanos(System.nanoTime() - t)).isLessThan(Duration.ofMillis(100));
                assertThatThrownBy(() -> spinning.get(10, TimeUnit.SECONDS))
                        .cause()
                        .isInstanceOf(DeadlineExceededException.class);
                assertThatThrownBy(() -> p.call("echo", "x")).isInstanceOf(IllegalStateException.class);
            } finally {
                ex.shutdownNow();
            }
        }
    }

    @Test
    void threadsSharingOnePluginTakeTurns() throws Exception {
        try (Plugin p = rust(in -> in)) {
            int threads = 4;
            int calls = 50;
            CountDownLatch go = new CountDownLatch(1);
            ExecutorService ex = Executors.newFixedThreadPool(threads);
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int id = t;
                done.add(ex.submit(() -> {
                    go.await();
                    for (int i = 0; i < calls; i++) {
                        String in = "thread " + id + " call " + i + " aeiou";
                        assertThat(p.call("echo", in)).isEqualTo(in);
                        p.call("count_vowels", "a");
                    }
                    return null;
                }));
            }
            go.countDown();
            for (Future<?> f : done) {
                f.get(60, TimeUnit.SECONDS);
            }
            ex.shutdown();
            // every count_vowels added one to the same variable: no update was lost
            assertThat(p.call("count_vowels", "")).contains("\"total\":" + threads * calls);
        }
    }

    @Test
    void pluginsOfOneCompiledPluginRunInParallel() throws Exception {
        try (CompiledPlugin c = rustBuilder().hostFunction("shout", in -> in).compile()) {
            ExecutorService ex = Executors.newFixedThreadPool(2);
            List<Future<String>> results = new ArrayList<>();
            for (int t = 0; t < 2; t++) {
                results.add(ex.submit(() -> {
                    try (Plugin p = c.instantiate()) {
                        String last = null;
                        for (int i = 0; i < 20; i++) {
                            last = p.call("count_vowels", "ae");
                        }
                        return last;
                    }
                }));
            }
            for (Future<String> f : results) {
                assertThat(f.get(60, TimeUnit.SECONDS)).contains("\"total\":40");
            }
            ex.shutdown();
        }
    }

    @Test
    void anInputLargerThanTheMemoryLimitIsRefusedAndThePluginGoesOn() {
        try (Plugin p = rustBuilder()
                .maxMemoryPages(32) // 2 MiB for each memory
                .hostFunction("shout", in -> in)
                .build()) {
            assertThatThrownBy(() -> p.call("echo", new byte[4 << 20]))
                    .isInstanceOf(PluginException.class)
                    .hasMessageContaining("oom");
            assertThat(p.call("echo", "small")).isEqualTo("small");
        }
    }

    @Test
    void aHostFunctionReturningMoreThanTheKernelCanHoldFailsTheCall() {
        try (Plugin p = rustBuilder()
                .maxMemoryPages(32)
                .hostFunction("shout", in -> new byte[8 << 20])
                .build()) {
            assertThatThrownBy(() -> p.call("call_host", "x"))
                    .isInstanceOf(TrapException.class)
                    .cause()
                    .isInstanceOf(PluginException.class)
                    .hasMessageContaining("oom");
            assertThat(p.call("echo", "after")).isEqualTo("after");
        }
    }

    @Test
    void aHostFunctionReadingAnOffsetWhereNoBlockStartsGetsAPluginException() {
        try (Plugin p = rustBuilder()
                .hostFunction(Kernel.USER, "shout", OFFSET_TO_OFFSET, c -> {
                    long offset = c.host().i64(0);
                    assertThat(c.length(offset)).isPositive();
                    assertThat(c.length(offset + 1)).isZero();
                    assertThat(c.length(Long.MAX_VALUE)).isZero();
                    c.read(offset + 1);
                })
                .build()) {
            assertThatThrownBy(() -> p.call("call_host", "text"))
                    .isInstanceOf(TrapException.class)
                    .cause()
                    .isInstanceOf(PluginException.class)
                    .hasMessageContaining("no memory block starts at offset");
        }
    }

    @Test
    void aPluginCallKeptPastItsCallThrows() {
        AtomicReference<PluginCall> kept = new AtomicReference<>();
        try (Plugin p = rustBuilder()
                .hostFunction(Kernel.USER, "shout", OFFSET_TO_OFFSET, c -> {
                    kept.set(c);
                    c.host().result(0, c.host().i64(0));
                })
                .build()) {
            assertThat(p.call("call_host", "same")).isEqualTo("same");
            assertThatThrownBy(() -> kept.get().host().i64(0)).isInstanceOf(IllegalStateException.class);
        }
    }

    @Test
    void variablesAreBounded() {
        try (Plugin p = rustBuilder()
                .maxVarBytes(6) // "total" and one digit fit, two digits do not
                .hostFunction("shout", in -> in)
                .build()) {
            assertThat(p.call("count_vowels", "aeiou")).contains("\"total\":5");
            assertThatThrownBy(() -> p.call("count_vowels", "aeiou"))
                    .isInstanceOf(TrapException.class)
                    .cause()
                    .isInstanceOf(PluginException.class)
                    .hasMessageContaining("variable store is full");
            assertThat(p.vars.bytes()).isEqualTo(6);
        }
        try (Plugin p =
                rustBuilder().maxVarBytes(0).hostFunction("shout", in -> in).build()) {
            assertThatThrownBy(() -> p.call("count_vowels", "a"))
                    .cause()
                    .hasMessageContaining("variables are disabled");
        }
    }

    @Test
    void useAfterCloseThrowsWithoutReachingNativeCode() {
        Plugin p = rust(in -> in);
        p.call("echo", "x");
        p.close();
        p.close(); // twice is fine
        assertThatThrownBy(() -> p.call("echo", "x".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed");
    }

    @Test
    void badSettingsAndModulesAreRefusedNamingTheProblem() {
        Plugin.Builder b = Plugin.builder();
        assertThatThrownBy(() -> b.points(-1)).hasMessageContaining("points must be >= 0");
        assertThatThrownBy(() -> b.timeout(Duration.ofMillis(-1))).hasMessageContaining("timeout must be >= 0");
        assertThatThrownBy(() -> b.maxMemoryPages(-1)).hasMessageContaining("maxMemoryPages");
        assertThatThrownBy(() -> b.maxVarBytes(-1)).hasMessageContaining("maxVarBytes");
        assertThatThrownBy(() -> b.maxHttpResponseBytes(-1)).hasMessageContaining("maxHttpResponseBytes");
        assertThatThrownBy(() -> b.httpTimeout(Duration.ZERO)).hasMessageContaining("httpTimeout must be positive");
        assertThatThrownBy(() -> b.allowedPath(java.nio.file.Path.of("/no/such/dir"), "/x"))
                .hasMessageContaining("is not a directory");
        assertThatThrownBy(b::compile).isInstanceOf(IllegalStateException.class).hasMessageContaining("no wasm");
        assertThatThrownBy(() -> b.wasm(java.nio.file.Path.of("/no/such.wasm")))
                .isInstanceOf(java.io.UncheckedIOException.class);
        assertThatThrownBy(() ->
                        Plugin.builder().wasm(new byte[] {0, 'a', 's', 'm', 9}).build())
                .isInstanceOf(dev.wasmerffm.CompileException.class);
        // the Rust plugin imports extism:host/user shout: without it, building names the import
        assertThatThrownBy(() -> rustBuilder().build())
                .isInstanceOf(dev.wasmerffm.LinkException.class)
                .hasMessageContaining("extism:host/user.shout");
        assertThatThrownBy(() -> rustBuilder()
                        .hostFunction(Kernel.USER, "shout", dev.wasmerffm.FuncType.of(List.of(), List.of()), c -> {})
                        .build())
                .isInstanceOf(dev.wasmerffm.LinkException.class)
                .hasMessageContaining("shout");
    }
}
