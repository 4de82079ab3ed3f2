package dev.wasmerffm.bench;

import dev.wasmerffm.Engine;
import dev.wasmerffm.Instance;
import dev.wasmerffm.Module;
import dev.wasmerffm.Store;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Measurements that need a fresh JVM each; {@link Main} runs them as child processes. Each prints one number.
 * <ul>
 *   <li>{@code cold-start}: ms from main() to the first result: load libwasmer, engine, compile, instantiate, call;
 *   <li>{@code rss-1000}: KiB of resident (native) memory and KiB of live Java heap that 1 000 live instances (each
 *   with its own store) add;
 *   <li>{@code starter DIR on|off}: ms for a Spring context with 10 modules from the cache in DIR, Wasmer on or off.
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
                SpringApplication app = new SpringApplication(StarterApp.class);
                app.setWebApplicationType(WebApplicationType.NONE);
                app.setDefaultProperties(java.util.Map.of(
                        "wasmer.enabled",
                        args[2].equals("on"),
                        "wasmer.cache.directory",
                        args[1],
                        "wasmer.modules.locations",
                        "classpath:startup-wasm/*.wat",
                        "spring.main.banner-mode",
                        "off",
                        "logging.level.root",
                        "warn"));
                try (ConfigurableApplicationContext ctx = app.run()) {
                    System.out.printf("%.1f%n", (System.nanoTime() - t0) / 1e6);
                }
            }
            default -> throw new IllegalArgumentException(args[0]);
        }
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
