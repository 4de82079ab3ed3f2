package dev.wasmerffm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntBinaryOperator;
import org.junit.jupiter.api.Test;

/** Batched calls: one export over many rows per crossing, through a generated driver module. */
class BatchTest {

    private static final String PLUGIN = """
            (module
              (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
              (func (export "div") (param i32 i32) (result i32) (i32.div_s (local.get 0) (local.get 1)))
              (func (export "mix") (param i64 f32 f64 i32) (result f64 i64 f32)
                (f64.add (local.get 2) (f64.promote_f32 (local.get 1)))
                (i64.mul (local.get 0) (i64.extend_i32_s (local.get 3)))
                (f32.neg (local.get 1)))
              (func (export "seven") (result i32) (i32.const 7))
              (func (export "ref") (param externref) (result i32) (i32.const 0)))
            """;

    private static final int ROWS = 1_000_000;

    @Test
    void addOverAMillionRowsEqualsPerCallResults() {
        try (Engine engine = new Engine();
                Store store = new Store(engine);
                Module module = Module.compile(engine, PLUGIN);
                Instance i = Instance.create(store, module)) {
            int[] a = new int[ROWS];
            int[] b = new int[ROWS];
            java.util.Random r = new java.util.Random(18);
            for (int k = 0; k < ROWS; k++) {
                a[k] = r.nextInt();
                b[k] = r.nextInt();
            }
            int[] sums = new int[ROWS];
            Batch batch = i.func("add").batch();
            batch.run(ROWS, new Object[] {a, b}, new Object[] {sums});
            IntBinaryOperator add = i.func("add").asIntBinaryOperator();
            for (int k = 0; k < ROWS; k++) {
                if (sums[k] != add.applyAsInt(a[k], b[k])) {
                    throw new AssertionError("row " + k + ": " + sums[k] + " != " + add.applyAsInt(a[k], b[k]));
                }
            }
            assertThat(sums[ROWS - 1]).isEqualTo(a[ROWS - 1] + b[ROWS - 1]);
        }
    }

    @Test
    void aTrappingRowIsReportedByIndexWithTheRowsBeforeItDone() {
        try (Engine engine = new Engine();
                Store store = new Store(engine);
                Module module = Module.compile(engine, PLUGIN);
                Instance i = Instance.create(store, module)) {
            int n = 1000;
            int k = 617;
            int[] a = new int[n];
            int[] b = new int[n];
            for (int row = 0; row < n; row++) {
                a[row] = row * 10;
                b[row] = row == k ? 0 : 5;
            }
            int[] q = new int[n];
            Batch batch = i.func("div").batch();
            assertThatThrownBy(() -> batch.run(n, new Object[] {a, b}, new Object[] {q}))
                    .isInstanceOfSatisfying(BatchTrapException.class, e -> {
                        assertThat(e.row()).isEqualTo(k);
                        assertThat(e.kind()).isEqualTo(TrapKind.INTEGER_DIVIDE_BY_ZERO);
                        assertThat(e.getCause()).isInstanceOf(TrapException.class);
                        assertThat(e.getMessage()).startsWith("row 617 of the batch of Func[div] trapped: ");
                    });
            assertThat(q[k - 1]).isEqualTo((k - 1) * 2);
            assertThat(q[k]).isZero();
            b[k] = 1;
            batch.run(n, new Object[] {a, b}, new Object[] {q}); // usable after the trap
            assertThat(q[k]).isEqualTo(k * 10);
            assertThat(q[n - 1]).isEqualTo((n - 1) * 2);
        }
    }

    @Test
    void aBatchRunAgainFromItsOwnHostFunctionIsRefusedAndTheOuterRunStaysRight() {
        try (Engine engine = new Engine();
                Store store = new Store(engine)) {
            int n = 1000;
            int[] in = new int[n];
            for (int row = 0; row < n; row++) {
                in[row] = row;
            }
            Batch[] batch = new Batch[1];
            List<Throwable> refused = new ArrayList<>();
            Func twice = Func.host(store, FuncType.of(List.of(ValType.I32), List.of(ValType.I32)), c -> {
                int x = c.i32(0);
                if (x == 500) {
                    try {
                        batch[0].run(n, new Object[] {new int[n]}, new Object[] {new int[n]});
                    } catch (IllegalStateException e) {
                        refused.add(e); // the outer run goes on, its rows untouched
                    }
                }
                c.result(0, 2 * x);
            });
            batch[0] = twice.batch();
            int[] out = new int[n];
            batch[0].run(n, new Object[] {in}, new Object[] {out});
            assertThat(refused)
                    .singleElement()
                    .asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.THROWABLE)
                    .hasMessageContaining("run again from inside its own run");
            for (int row = 0; row < n; row++) {
                assertThat(out[row]).as("row %d", row).isEqualTo(2 * row);
            }
            batch[0].run(n, new Object[] {in}, new Object[] {out}); // usable after
            assertThat(out[n - 1]).isEqualTo(2 * (n - 1));
        }
    }

    @Test
    void everyNumberTypeAndMemorySegmentColumns() {
        try (Engine engine = new Engine();
                Store store = new Store(engine);
                Module module = Module.compile(engine, PLUGIN);
                Instance i = Instance.create(store, module);
                Arena arena = Arena.ofConfined()) {
            int n = 3;
            long[] x = {1, -2, Long.MAX_VALUE};
            float[] y = {0.5f, -1f, Float.NaN};
            MemorySegment z = arena.allocateFrom(ValueLayout.JAVA_DOUBLE, 1, 2, 3);
            int[] w = {3, 4, 2};
            double[] d = new double[n];
            long[] l = new long[n];
            MemorySegment f = arena.allocate(ValueLayout.JAVA_FLOAT, n);
            i.func("mix").batch().run(n, new Object[] {x, y, z, w}, new Object[] {d, l, f});
            for (int k = 0; k < n; k++) {
                Object[] one = i.func("mix").call(x[k], y[k], z.getAtIndex(ValueLayout.JAVA_DOUBLE, k), w[k]);
                assertThat(d[k]).isEqualTo((Double) one[0]);
                assertThat(l[k]).isEqualTo((Long) one[1]);
                assertThat(Float.floatToRawIntBits(f.getAtIndex(ValueLayout.JAVA_FLOAT, k)))
                        .isEqualTo(Float.floatToRawIntBits((Float) one[2]));
            }
            assertThat(l[2]).isEqualTo(Long.MAX_VALUE * 2);
            int[] sevens = new int[4];
            i.func("seven").batch().run(4, new Object[0], new Object[] {sevens});
            assertThat(sevens).containsExactly(7, 7, 7, 7);
        }
    }

    @Test
    void columnsAreChecked() {
        try (Engine engine = new Engine();
                Store store = new Store(engine);
                Module module = Module.compile(engine, PLUGIN);
                Instance i = Instance.create(store, module)) {
            Batch add = i.func("add").batch();
            assertThat(add.type()).isEqualTo(i.func("add").type());
            int instances = store.instanceCount();
            assertThat(i.func("add").batch()).isSameAs(add); // one driver instance per function
            assertThat(store.instanceCount()).isEqualTo(instances);
            assertThatThrownBy(() -> add.run(2, new Object[] {new int[2]}, new Object[] {new int[2]}))
                    .isInstanceOf(WasmArgumentException.class)
                    .hasMessageContaining("2 argument columns, got 1");
            assertThatThrownBy(() -> add.run(2, new Object[] {new int[2], new long[2]}, new Object[] {new int[2]}))
                    .isInstanceOf(WasmArgumentException.class)
                    .hasMessageContaining("argument column 1")
                    .hasMessageContaining("int[]");
            assertThatThrownBy(() -> add.run(3, new Object[] {new int[3], new int[3]}, new Object[] {new int[2]}))
                    .isInstanceOf(WasmArgumentException.class)
                    .hasMessageContaining("fewer than the 3 rows");
            assertThatThrownBy(() -> add.run(-1, new Object[] {new int[0], new int[0]}, new Object[] {new int[0]}))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("-1");
            add.run(0, new Object[] {new int[0], new int[0]}, new Object[] {new int[0]}); // no rows: nothing runs
            assertThatThrownBy(() -> i.func("ref").batch())
                    .isInstanceOf(WasmArgumentException.class)
                    .hasMessageContaining("numbers only");
        }
        try (Engine engine = new Engine(new Config().metering(Metering.of(1000)));
                Module m = Module.compile(engine, PLUGIN);
                Store store = new Store(m);
                Instance i = Instance.create(store, m)) {
            assertThatThrownBy(() -> i.func("add").batch())
                    .isInstanceOf(WasmArgumentException.class)
                    .hasMessageContaining("metered");
        }
    }

    @Test
    void batchesOnTwoThreadsWithAnInstanceEach() throws Exception {
        try (Engine engine = new Engine();
                Module module = Module.compile(engine, PLUGIN);
                ExecutorService pool = Executors.newFixedThreadPool(2)) {
            List<Future<int[]>> futures = new ArrayList<>();
            for (int t = 0; t < 2; t++) {
                int base = t * 1000;
                futures.add(pool.submit(() -> {
                    try (Store store = new Store(engine);
                            Instance i = Instance.create(store, module)) {
                        Batch add = i.func("add").batch();
                        int n = 100_000;
                        int[] a = new int[n];
                        int[] b = new int[n];
                        int[] out = new int[n];
                        for (int round = 0; round < 20; round++) {
                            for (int k = 0; k < n; k++) {
                                a[k] = k;
                                b[k] = base + round;
                            }
                            add.run(n, new Object[] {a, b}, new Object[] {out});
                            for (int k = 0; k < n; k++) {
                                if (out[k] != k + base + round) {
                                    throw new AssertionError("row " + k + " round " + round);
                                }
                            }
                        }
                        return out;
                    }
                }));
            }
            assertThat(futures.get(0).get()[5]).isEqualTo(5 + 19);
            assertThat(futures.get(1).get()[5]).isEqualTo(5 + 1019);
            assertThat(engine.generated).hasSize(1); // one driver for (i32, i32) -> i32, shared by both stores
        }
    }
}
