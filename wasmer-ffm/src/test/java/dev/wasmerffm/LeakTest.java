package dev.wasmerffm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wasmerffm.internal.store.NativeResource;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Create, instantiate, call and close in a loop: every native object the binding makes is freed, whether closed or
 * left to the Cleaner (counted exactly), and resident memory is reported (RSS is too noisy in a shared test JVM for
 * a tight bound; libwasmer itself was checked leak-free from C, see docs/reliability.md).
 */
class LeakTest {

    static final String MODULE = """
            (module (import "env" "h" (func $h (param i32) (result i32)))
              (memory (export "mem") 1)
              (func (export "run") (param i32) (result i32) local.get 0 call $h))
            """;

    static void cycle(Engine engine, Module module, boolean close) {
        Store store = new Store(engine);
        Func h = Func.host(store, FuncType.of(List.of(ValType.I32), List.of(ValType.I32)), c -> c.result(0, c.i32(0)));
        Instance in = Instance.create(store, module, new Imports().define("env", "h", h));
        if ((Integer) in.func("run").call(5)[0] != 5) {
            throw new AssertionError("wrong result");
        }
        if (close) {
            in.close();
            h.close();
            store.close();
        }
    }

    @Test
    void closedCyclesKeepRssFlat() throws Exception {
        measure(true);
    }

    @Test
    void forgottenCyclesAreReclaimedByTheCleaner() throws Exception {
        measure(false);
    }

    static long settledRssKib() throws Exception {
        LiveObjects.settled();
        return java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/status")).stream()
                .filter(l -> l.startsWith("VmRSS:"))
                .mapToLong(l -> Long.parseLong(l.replaceAll("\\D", "")))
                .findFirst()
                .orElseThrow();
    }

    private static void measure(boolean close) throws Exception {
        int warm = 10_000; // the baseline is taken after these, once allocators and the JIT have settled
        int total = Integer.getInteger("wasmer.reliability.leakCycles", Scale.of(30_000, 1_000_000));
        try (Engine engine = new Engine();
                Module module = Module.compile(engine, MODULE)) {
            long baseline = 0;
            long liveBefore = 0;
            for (int i = 0; i < total; i++) {
                if (i == warm) {
                    baseline = settledRssKib();
                    liveBefore = NativeResource.LIVE.get();
                }
                cycle(engine, module, close);
                if (i % 500 == 0) {
                    // Keeps the Java heap from growing between the two readings (a service collects anyway), so
                    // RSS shows native memory; in the forgotten case it is also what lets the Cleaner run.
                    System.gc();
                }
            }
            long after = settledRssKib();
            System.out.printf(
                    "LeakTest close=%s cycles=%d live native objects %d -> %d, rss %d -> %d KiB (%+.1f%%)%n",
                    close,
                    total,
                    liveBefore,
                    NativeResource.LIVE.get(),
                    baseline,
                    after,
                    100.0 * (after - baseline) / baseline);
            assertThat(NativeResource.LIVE.get())
                    .as("native objects still alive after %d cycles", total)
                    .isEqualTo(liveBefore);
        }
    }
}
