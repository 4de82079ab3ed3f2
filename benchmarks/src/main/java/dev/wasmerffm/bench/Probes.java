package dev.wasmerffm.bench;

import dev.wasmerffm.Config;
import dev.wasmerffm.DeadlineExceededException;
import dev.wasmerffm.Engine;
import dev.wasmerffm.Func;
import dev.wasmerffm.FuncType;
import dev.wasmerffm.Instance;
import dev.wasmerffm.Module;
import dev.wasmerffm.Store;
import dev.wasmerffm.ValType;
import dev.wasmerffm.cache.ModuleCache;
import dev.wasmerffm.pool.WasmInstancePool;
import dev.wasmerffm.pool.WasmModules;
import dev.wasmerffm.pool.WasmerObserver;
import dev.wasmerffm.wasi.WasiConfig;
import dev.wasmerffm.wasi.WasiEnv;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.IntUnaryOperator;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.metrics.buffering.BufferingApplicationStartup;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Measurements that need a fresh JVM each; {@link Main} runs them as child processes. Each prints one number.
 * <ul>
 *   <li>{@code cold-start}: ms from main() to the first result: load libwasmer, engine, compile, instantiate, call;
 *   <li>{@code rss-1000}: KiB of resident (native) memory and KiB of live Java heap that 1 000 live instances (each
 *   with its own store) add;
 *   <li>{@code starter DIR on|off|compile|serial [LOCATION]}: wall ms from main(), CPU ms of the whole JVM and ms of
 *   the main thread in the {@code wasmerEngine} bean (which loads libwasmer unless that is done already) for a
 *   Spring context with the 8 small modules of {@code startup-wasm/} (and those at LOCATION) from the cache in DIR,
 *   Wasmer on or off, on with the disk cache off (every module compiled), or on with the background preload off;
 *   <li>{@code plugin-first-call DIR|- PLUGIN}: ms of the first pooled call of the Extism plugin
 *   {@code extism/PLUGIN.wasm} (compiling it with Extism's kernel), with a disk cache in DIR or memory only;
 *   <li>{@code pool-scaling PAIRS MS}: the pool's throughput on two threads over one, in paired windows (see
 *   {@link #pairedScaling}): the median ratio, then the quartiles;
 *   <li>{@code watchdog-cpu}: ms of CPU the deadline watchdog spends per second that a call runs past a deadline it
 *   cannot stop: a guest sleeping in libwasmer (WASIX thread_sleep), then a host function ignoring its interrupt.
 * </ul>
 */
public final class Probes {

    static final String SMALL = "(module (memory (export \"memory\") 1)"
            + " (func (export \"f\") (param i32) (result i32) local.get 0 i32.const 1 i32.add))";

    private Probes() {}

    public static void main(String[] args) throws Exception {
        long t0 = System.nanoTime();
        switch (args[0]) {
            case "cold-start" -> {
                try (Engine e = new Engine();
                        Module m = Module.compile(e, SMALL);
                        Store s = new Store(e);
                        Instance in = Instance.create(s, m)) {
                    int r = in.func("f").asIntUnaryOperator().applyAsInt(41);
                    System.out.printf("%.1f%n", (System.nanoTime() - t0) / 1e6);
                    if (r != 42) {
                        throw new AssertionError(r);
                    }
                }
            }
            case "rss-1000" -> {
                // Run with a pre-touched fixed heap (see Main), so the RSS delta is native memory only; the Java
                // objects kept alive are counted separately as live heap after a full GC.
                try (Engine e = new Engine();
                        Module m = Module.compile(e, SMALL)) {
                    List<AutoCloseable> live = new ArrayList<>();
                    for (int i = 0; i < 1000; i++) { // warm up as C does: JIT and malloc settle before measuring
                        try (Store s = new Store(e);
                                Instance in = Instance.create(s, m)) {
                            in.func("f").call(i);
                        }
                    }
                    long heapBefore = liveHeap();
                    long before = rss();
                    for (int i = 0; i < 1000; i++) {
                        Store s = new Store(e);
                        Instance in = Instance.create(s, m);
                        in.func("f").call(i);
                        live.add(in);
                        live.add(s);
                    }
                    System.out.println((rss() - before) + " " + (liveHeap() - heapBefore) / 1024);
                    for (AutoCloseable c : live) {
                        c.close();
                    }
                }
            }
            case "starter" -> {
                if (args[2].equals("serial")) { // Boot's switch, which the starter's preload follows too
                    System.setProperty("spring.backgroundpreinitializer.ignore", "true");
                }
                SpringApplication app = new SpringApplication(StarterApp.class);
                app.setWebApplicationType(WebApplicationType.NONE);
                BufferingApplicationStartup steps = new BufferingApplicationStartup(20_000);
                app.setApplicationStartup(steps);
                app.setDefaultProperties(java.util.Map.of(
                        "wasmer.enabled",
                        !args[2].equals("off"),
                        "wasmer.cache.enabled",
                        !args[2].equals("compile"),
                        "wasmer.cache.directory",
                        args[1],
                        "wasmer.modules.locations",
                        "classpath:startup-wasm/*.wat" + (args.length > 3 ? "," + args[3] : ""),
                        "spring.main.banner-mode",
                        "off",
                        "logging.level.root",
                        "warn"));
                ConfigurableApplicationContext started;
                try {
                    started = app.run();
                } catch (RuntimeException e) { // Boot logged it, to the probe's no-op logger: print it
                    e.printStackTrace(System.out);
                    throw e;
                }
                try (ConfigurableApplicationContext ctx = started) {
                    System.out.printf(
                            "%.1f %d %d%n",
                            (System.nanoTime() - t0) / 1e6,
                            ProcessHandle.current()
                                    .info()
                                    .totalCpuDuration()
                                    .orElseThrow()
                                    .toMillis(),
                            // the main thread making the engine bean, which loads libwasmer unless done already
                            steps.getBufferedTimeline().getEvents().stream()
                                    .filter(e -> e.getStartupStep().getName().equals("spring.beans.instantiate"))
                                    .filter(e -> java.util.stream.StreamSupport.stream(
                                                    e.getStartupStep().getTags().spliterator(), false)
                                            .anyMatch(t -> t.getKey().equals("beanName")
                                                    && t.getValue().equals("wasmerEngine")))
                                    .mapToLong(e -> e.getDuration().toMillis())
                                    .sum());
                }
            }
            case "pool-scaling" -> {
                try (Engine e = new Engine();
                        ModuleCache cache = new ModuleCache(e);
                        WasmInstancePool pool = PoolBenchmark.pool(
                                PoolBenchmark.addModule(cache, WasmerObserver.NONE), WasmerObserver.NONE)) {
                    double[] r = pairedScaling(
                            i -> (Integer) pool.call("add", "add", i, 2)[0],
                            Integer.parseInt(args[1]),
                            Long.parseLong(args[2]));
                    System.out.printf("%.3f %.3f %.3f%n", r[r.length / 2], r[r.length / 4], r[r.length * 3 / 4]);
                }
            }
            case "plugin-first-call" -> {
                Path wasm = Path.of(
                        Probes.class.getResource("/extism/" + args[2] + ".wasm").toURI());
                ModuleCache.Builder b = ModuleCache.builder(new Engine());
                if (!args[1].equals("-")) {
                    b.directory(Path.of(args[1]));
                }
                try (ModuleCache cache = b.build();
                        WasmModules modules =
                                WasmModules.builder(cache).module(wasm).build();
                        WasmInstancePool pool = WasmInstancePool.builder(modules)
                                .plugins((name, plugin) -> plugin.hostFunction("shout", in -> in))
                                .build()) {
                    long t = System.nanoTime();
                    byte[] out = pool.call(args[2], "echo", "hi".getBytes(java.nio.charset.StandardCharsets.UTF_8));
                    if (!Arrays.equals(out, "hi".getBytes(java.nio.charset.StandardCharsets.UTF_8))) {
                        throw new IllegalStateException(args[2] + " echoed " + Arrays.toString(out));
                    }
                    System.out.printf("%.1f%n", (System.nanoTime() - t) / 1e6);
                }
            }
            case "watchdog-cpu" -> {
                try (Engine e = new Engine(new Config().deadlines(true));
                        Module m = Module.compile(e, NAP);
                        Store s = new Store(m);
                        WasiEnv wasi = WasiEnv.create(s, new WasiConfig("nap"));
                        Engine plain = new Engine();
                        Store p = new Store(plain)) {
                    Func nap = wasi.instantiate(m).func("nap");
                    Func deaf = Func.host(p, FuncType.of(List.of(ValType.I64), List.of()), c -> {
                        long end = System.nanoTime() + c.i64(0);
                        while (System.nanoTime() - end < 0) {
                            Thread.interrupted(); // deaf to the watchdog's interrupt
                        }
                    });
                    System.out.printf("%.3f %.3f%n", overdueWatchdogCpu(nap), overdueWatchdogCpu(deaf));
                }
            }
            default -> throw new IllegalArgumentException(args[0]);
        }
    }

    /** A guest sleeping its argument's nanoseconds in WASIX's thread_sleep, which libwasmer serves itself. */
    static final String NAP = """
            (module
              (import "wasix_32v1" "thread_sleep" (func $sleep (param i64) (result i32)))
              (memory (export "memory") 1)
              (func (export "nap") (param i64) (call $sleep (local.get 0)) drop))
            """;

    /**
     * ms of the watchdog thread's CPU per second that {@code f(ns)}, running {@code ns} under a 10 ms deadline that
     * cannot stop it, is overdue; after short runs, so that linking and compiling what the watchdog runs is not
     * counted.
     */
    static double overdueWatchdogCpu(Func f) {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        long watchdog = -1;
        double perSecond = 0;
        for (long ns : new long[] {100_000_000L, 100_000_000L, 100_000_000L, 100_000_000L, 2_000_000_000L}) {
            long cpu = watchdog < 0 ? 0 : mx.getThreadCpuTime(watchdog);
            long t0 = System.nanoTime();
            try {
                f.callWithTimeout(Duration.ofMillis(10), ns);
                throw new IllegalStateException(f + " returned past its deadline");
            } catch (DeadlineExceededException expected) {
                // it ended as it came back
            }
            double overdue = (System.nanoTime() - t0 - 10_000_000L) / 1e9;
            if (watchdog < 0) {
                watchdog = Thread.getAllStackTraces().keySet().stream()
                        .filter(t -> t.getName().equals("wasmer-deadlines"))
                        .findFirst()
                        .orElseThrow()
                        .threadId();
            } else {
                perSecond = (mx.getThreadCpuTime(watchdog) - cpu) / 1e6 / overdue;
            }
        }
        return perSecond;
    }

    /**
     * Throughput of {@code op} on two threads over one thread, in alternating windows of {@code windowMs} each, after
     * two pairs to warm up: each ratio compares windows a moment apart, so the machine's load, which drifts over
     * seconds, cancels (JMH runs one thread count per fork, minutes apart). The same two threads serve every window, so
     * each keeps its pooled instance. Returns the {@code pairs} ratios, sorted.
     */
    static double[] pairedScaling(IntUnaryOperator op, int pairs, long windowMs) throws InterruptedException {
        AtomicBoolean stop = new AtomicBoolean();
        Semaphore[] go = {new Semaphore(0), new Semaphore(0)};
        Semaphore finished = new Semaphore(0);
        long[] counts = new long[2];
        for (int t = 0; t < 2; t++) {
            int id = t;
            Thread.ofPlatform().daemon().start(() -> {
                for (int i = 0; ; ) {
                    go[id].acquireUninterruptibly();
                    long n = 0;
                    while (!stop.get()) {
                        i = op.applyAsInt(i);
                        n++;
                    }
                    counts[id] = n; // published by the release, read after the acquire
                    finished.release();
                }
            });
        }
        double[] ratios = new double[pairs];
        for (int k = -2; k < pairs; k++) {
            double one = 0;
            double two = 0;
            for (int threads = 1; threads <= 2; threads++) {
                stop.set(false);
                long t0 = System.nanoTime();
                for (int t = 0; t < threads; t++) {
                    go[t].release();
                }
                Thread.sleep(windowMs);
                stop.set(true);
                finished.acquire(threads);
                double rate = (counts[0] + (threads == 2 ? counts[1] : 0)) / (double) (System.nanoTime() - t0);
                if (threads == 1) {
                    one = rate;
                } else {
                    two = rate;
                }
            }
            if (k >= 0) {
                ratios[k] = two / one;
            }
        }
        Arrays.sort(ratios);
        return ratios;
    }

    static long liveHeap() {
        System.gc();
        Runtime r = Runtime.getRuntime();
        return r.totalMemory() - r.freeMemory();
    }

    static long rss() throws java.io.IOException {
        return Files.readAllLines(Path.of("/proc/self/status")).stream()
                .filter(l -> l.startsWith("VmRSS:"))
                .mapToLong(l -> Long.parseLong(l.replaceAll("\\D", "")))
                .findFirst()
                .orElseThrow();
    }

    /** The application of the starter probe. */
    @SpringBootApplication
    public static class StarterApp {}
}
