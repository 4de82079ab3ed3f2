package dev.wasmerffm.wasi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wasmerffm.ChildJvm;
import dev.wasmerffm.Config;
import dev.wasmerffm.DeadlineExceededException;
import dev.wasmerffm.Engine;
import dev.wasmerffm.Instance;
import dev.wasmerffm.Memory;
import dev.wasmerffm.Module;
import dev.wasmerffm.Store;
import dev.wasmerffm.TrapException;
import dev.wasmerffm.WatchdogCpu;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * WASI calls that block, under a deadline: a sleep in poll_oneoff waits in Java, where the deadline stops it; reading
 * or polling the JVM's stdin, which only libwasmer could wait for, is refused; and while a call sleeps in libwasmer
 * past its deadline (WASIX's thread_sleep), the watchdog does not spin.
 */
class WasiDeadlineTest {

    static final Duration SHORT = Duration.ofMillis(50);

    /**
     * {@code sleep(ns)}: poll_oneoff on a relative monotonic clock of {@code ns} (userdata 5) and a realtime one of
     * 10 s (userdata 6); errno at 200, events at 300, their count at 400. For preview 1 (48-byte subscriptions) and
     * preview 0 (56 bytes, the clock's fields 8 bytes later).
     */
    static final String SLEEP1 = sleeper("wasi_snapshot_preview1", 48, 16);

    static final String SLEEP0 = sleeper("wasi_unstable", 56, 24);

    private static String sleeper(String module, int size, int clock) {
        int second = 100 + size;
        return """
                (module
                  (import "%s" "poll_oneoff" (func $poll (param i32 i32 i32 i32) (result i32)))
                  (memory (export "memory") 1)
                  (func (export "sleep") (param $ns i64)
                    (i64.store (i32.const 100) (i64.const 5))
                    (i32.store8 (i32.const 108) (i32.const 0))
                    (i32.store (i32.const %d) (i32.const 1))
                    (i64.store (i32.const %d) (local.get $ns))
                    (i64.store (i32.const %d) (i64.const 6))
                    (i32.store8 (i32.const %d) (i32.const 0))
                    (i32.store (i32.const %d) (i32.const 0))
                    (i64.store (i32.const %d) (i64.const 10000000000))
                    (i32.store (i32.const 200)
                      (call $poll (i32.const 100) (i32.const 300) (i32.const 2) (i32.const 400)))))
                """.formatted(
                        module, 100 + clock, 100 + clock + 8, second, second + 8, second + clock, second + clock + 8);
    }

    /** {@code pollStdin}: an fd_read subscription on descriptor 0; {@code readStdin}: fd_read of 0. */
    static final String STDIN = """
            (module
              (import "wasi_snapshot_preview1" "poll_oneoff" (func $poll (param i32 i32 i32 i32) (result i32)))
              (import "wasi_snapshot_preview1" "fd_read" (func $read (param i32 i32 i32 i32) (result i32)))
              (memory (export "memory") 1)
              (func (export "pollStdin")
                (i64.store (i32.const 100) (i64.const 7))
                (i32.store8 (i32.const 108) (i32.const 1))
                (i32.store (i32.const 116) (i32.const 0))
                (drop (call $poll (i32.const 100) (i32.const 300) (i32.const 1) (i32.const 400))))
              (func (export "readStdin")
                (i32.store (i32.const 0) (i32.const 100))
                (i32.store (i32.const 4) (i32.const 16))
                (drop (call $read (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 16)))))
            """;

    /** {@code nap(ns)}: WASIX's thread_sleep, which libwasmer serves itself (the binding does not wrap it). */
    static final String NAP = """
            (module
              (import "wasix_32v1" "thread_sleep" (func $sleep (param i64) (result i32)))
              (memory (export "memory") 1)
              (func (export "nap") (param i64) (result i32) (call $sleep (local.get 0))))
            """;

    static Engine engine;

    @BeforeAll
    static void engine() {
        engine = new Engine(new Config().deadlines(true));
    }

    @AfterAll
    static void close() {
        engine.close();
    }

    private static int i32(Memory memory, int at) {
        return ByteBuffer.wrap(memory.read(at, 4))
                .order(ByteOrder.LITTLE_ENDIAN)
                .getInt();
    }

    @Test
    void aSleepInPollOneoffStopsAtTheDeadline() {
        for (String wat : new String[] {SLEEP1, SLEEP0}) {
            try (Module module = Module.compile(engine, wat);
                    Store store = new Store(module);
                    WasiEnv wasi = WasiEnv.create(store, new WasiConfig("sleep"))) {
                Instance in = wasi.instantiate(module);
                long cpu = WatchdogCpu.nanos();
                long t0 = System.nanoTime();
                assertThatThrownBy(() -> in.func("sleep").callWithTimeout(SHORT, 3_000_000_000L))
                        .isInstanceOf(DeadlineExceededException.class)
                        .hasCauseInstanceOf(InterruptedException.class);
                long wall = System.nanoTime() - t0;
                cpu = WatchdogCpu.nanos() - cpu;
                assertThat(wall / 1_000_000).as("stopped after (ms)").isLessThan(1_000L);
                assertThat(cpu).as("watchdog CPU %d µs", cpu / 1000).isLessThan(20_000_000L);
                assertThat(Thread.currentThread().isInterrupted()).isFalse();
            }
        }
    }

    @Test
    void aSleepInPollOneoffWithoutADeadlineSleepsAndReportsTheClockThatRang() {
        for (String wat : new String[] {SLEEP1, SLEEP0}) {
            try (Module module = Module.compile(engine, wat);
                    Store store = new Store(module);
                    WasiEnv wasi = WasiEnv.create(store, new WasiConfig("sleep"))) {
                Instance in = wasi.instantiate(module);
                long t0 = System.nanoTime();
                in.func("sleep").call(100_000_000L);
                assertThat((System.nanoTime() - t0) / 1_000_000).isBetween(100L, 5_000L);
                Memory m = in.memory("memory");
                ByteBuffer event = ByteBuffer.wrap(m.read(300, 32)).order(ByteOrder.LITTLE_ENDIAN);
                // success, one event: the 100 ms clock's userdata, no error, type clock
                assertThat(new long[] {i32(m, 200), i32(m, 400), event.getLong(0), event.getShort(8), event.get(10)})
                        .containsExactly(0, 1, 5, 0, 0);
            }
        }
    }

    @Test
    void aCallSleepingInLibwasmerPastItsDeadlineLeavesTheWatchdogIdle() {
        try (Module module = Module.compile(engine, NAP);
                Store store = new Store(module);
                WasiEnv wasi = WasiEnv.create(store, new WasiConfig("nap"))) {
            Instance in = wasi.instantiate(module);
            // once, so that what the watchdog runs the first time (linking its downcalls) is not measured
            assertThatThrownBy(() -> in.func("nap").callWithTimeout(Duration.ofMillis(10), 100_000_000L))
                    .isInstanceOf(DeadlineExceededException.class);
            long cpu = WatchdogCpu.nanos();
            long t0 = System.nanoTime();
            // libwasmer sleeps, where nothing reaches it; the guest stops as it comes back into wasm
            assertThatThrownBy(() -> in.func("nap").callWithTimeout(SHORT, 1_000_000_000L))
                    .isInstanceOf(DeadlineExceededException.class);
            long wall = System.nanoTime() - t0;
            cpu = WatchdogCpu.nanos() - cpu;
            assertThat(wall / 1_000_000).as("slept for (ms)").isGreaterThanOrEqualTo(900L);
            assertThat(cpu)
                    .as("watchdog CPU %d µs over %d ms", cpu / 1000, wall / 1_000_000)
                    .isLessThan(wall / 200);
            assertThat(in.func("nap").call(1L)).containsExactly(0); // it runs on
        }
    }

    @Test
    void readingOrPollingTheJvmsStdinUnderADeadlineIsRefused() throws Exception {
        Process p = ChildJvm.start(StdinGuest.class);
        try (OutputStream stdin = p.getOutputStream()) { // open, and nothing ever written: a read would wait
            boolean exited = p.waitFor(60, TimeUnit.SECONDS);
            if (!exited) {
                p.destroyForcibly();
            }
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(exited).as("the guest returned: " + out).isTrue();
            assertThat(p.exitValue()).as(out).isZero();
            assertThat(out)
                    .contains(
                            "pollStdin refused: reading the JVM's stdin",
                            "readStdin refused: reading the JVM's stdin",
                            "done");
        }
    }

    /** The child JVM, whose stdin the parent holds open and never writes. */
    static final class StdinGuest {
        public static void main(String[] args) {
            try (Engine engine = new Engine(new Config().deadlines(true));
                    Module module = Module.compile(engine, STDIN);
                    Store store = new Store(module);
                    WasiEnv wasi = WasiEnv.create(store, new WasiConfig("stdin").inheritStdin())) {
                Instance in = wasi.instantiate(module);
                for (String export : new String[] {"pollStdin", "readStdin"}) {
                    try {
                        in.func(export).callWithTimeout(Duration.ofSeconds(5));
                        System.out.println(export + " returned");
                    } catch (TrapException e) {
                        System.out.println(export + " refused: " + e.getCause().getMessage());
                    }
                }
            }
            System.out.println("done");
        }
    }
}
