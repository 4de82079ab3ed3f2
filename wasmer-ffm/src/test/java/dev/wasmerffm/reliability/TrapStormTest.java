package dev.wasmerffm.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wasmerffm.Engine;
import dev.wasmerffm.Func;
import dev.wasmerffm.Instance;
import dev.wasmerffm.Module;
import dev.wasmerffm.Scale;
import dev.wasmerffm.Store;
import dev.wasmerffm.TestModules;
import dev.wasmerffm.TrapException;
import dev.wasmerffm.TrapKind;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * Every trap kind, many times, on two threads, interleaved with Java code taking implicit null checks (SIGSEGV in
 * JIT-compiled code, handled by the JVM after libwasmer's handler chains to it) and with GC pressure.
 */
class TrapStormTest {
    static final String[] KINDS = {
        "unreachable", "oob", "div0", "overflow", "conversion", "bad_sig", "undefined", "stack"
    };
    static final TrapKind[] EXPECTED = {
        TrapKind.UNREACHABLE,
        TrapKind.MEMORY_OUT_OF_BOUNDS,
        TrapKind.INTEGER_DIVIDE_BY_ZERO,
        TrapKind.INTEGER_OVERFLOW,
        TrapKind.BAD_CONVERSION_TO_INTEGER,
        TrapKind.INDIRECT_CALL_TYPE_MISMATCH,
        TrapKind.UNINITIALIZED_ELEMENT,
        TrapKind.STACK_OVERFLOW
    };

    static final class Box {
        int value = 1;
    }

    static int read(Box b) {
        return b.value;
    }

    @Test
    void everyTrapKindInterleavedWithNullChecksAndGc() throws Exception {
        int perKind = Scale.of(5_000, 100_000);
        try (Engine engine = new Engine();
                Module module = Module.compile(engine, TestModules.TRAPS);
                ExecutorService pool = Executors.newFixedThreadPool(4)) {
            List<Future<long[]>> wasm = new ArrayList<>();
            for (int t = 0; t < 2; t++) {
                int offset = t;
                wasm.add(pool.submit(() -> {
                    long[] counts = new long[KINDS.length + 1];
                    try (Store store = new Store(engine);
                            Instance in = Instance.create(store, module)) {
                        Func[] funcs = new Func[KINDS.length];
                        for (int k = 0; k < KINDS.length; k++) {
                            funcs[k] = in.func(KINDS[k]);
                        }
                        var ok = in.func("inc").asIntUnaryOperator();
                        for (int i = 0; i < perKind; i++) {
                            for (int k = 0; k < KINDS.length; k++) {
                                int kind = (k + offset) % KINDS.length;
                                try {
                                    funcs[kind].call();
                                } catch (TrapException e) {
                                    counts[kind] += e.kind() == EXPECTED[kind] ? 1 : 0;
                                }
                                counts[KINDS.length] += ok.applyAsInt(i) == i + 1 ? 1 : 0;
                            }
                        }
                    }
                    return counts;
                }));
            }
            List<Future<long[]>> java = new ArrayList<>();
            for (int t = 0; t < 2; t++) {
                java.add(pool.submit(() -> {
                    Box box = new Box();
                    long npes = 0;
                    long sum = 0;
                    for (int i = 0; i < perKind * KINDS.length; i++) {
                        try {
                            sum += read(i % 50 == 0 ? null : box);
                        } catch (NullPointerException e) {
                            npes++;
                        }
                        if (i % 10_000 == 0) {
                            System.gc();
                        }
                    }
                    return new long[] {npes, sum};
                }));
            }
            for (Future<long[]> f : wasm) {
                long[] counts = f.get();
                for (int k = 0; k < KINDS.length; k++) {
                    assertThat(counts[k]).as(KINDS[k]).isEqualTo(perKind);
                }
                assertThat(counts[KINDS.length]).isEqualTo((long) perKind * KINDS.length);
            }
            int n = perKind * KINDS.length;
            for (Future<long[]> f : java) {
                assertThat(f.get()).containsExactly(n / 50, n - n / 50);
            }
        }
    }
}
