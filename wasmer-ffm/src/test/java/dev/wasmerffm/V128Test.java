package dev.wasmerffm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** v128 values through Func.call and globals, by generated adapter modules, against the real libwasmer. */
class V128Test {

    private static final String LANES = """
            (module
              (memory 1)
              (func (export "i8_add") (param v128 v128) (result v128) (i8x16.add (local.get 0) (local.get 1)))
              (func (export "i16_mul") (param v128 v128) (result v128) (i16x8.mul (local.get 0) (local.get 1)))
              (func (export "i32_sub") (param v128 v128) (result v128) (i32x4.sub (local.get 0) (local.get 1)))
              (func (export "i64_neg") (param v128) (result v128) (i64x2.neg (local.get 0)))
              (func (export "f32_div") (param v128 v128) (result v128) (f32x4.div (local.get 0) (local.get 1)))
              (func (export "f64_sqrt") (param v128) (result v128) (f64x2.sqrt (local.get 0)))
              (func (export "id") (param v128) (result v128) (local.get 0))
              (func (export "mixed") (param i32 v128 f64) (result v128 i32 f64)
                (i32x4.replace_lane 3 (local.get 1) (local.get 0)) (i32x4.extract_lane 0 (local.get 1)) (local.get 2))
              (func (export "load") (param i32) (result v128) (v128.load (local.get 0)))
              (global (export "const") v128 (v128.const i16x8 1 -2 3 -4 5 -6 7 -8))
              (global (export "var") (mut v128) (v128.const i64x2 0 0)))
            """;

    private static final String IMPORTS_GLOBAL = """
            (module
              (import "env" "g" (global $g v128))
              (func (export "lane") (param i32) (result i32)
                (i32x4.extract_lane 2 (global.get $g)) (local.get 0) i32.add))
            """;

    @Test
    void everyLaneShapeCrossesExactly() {
        try (Engine engine = new Engine();
                Store store = new Store(engine);
                Module module = Module.compile(engine, LANES);
                Instance i = Instance.create(store, module)) {
            byte[] a = new byte[16];
            byte[] b = new byte[16];
            byte[] sum = new byte[16];
            for (int k = 0; k < 16; k++) {
                a[k] = (byte) (k * 17 - 100);
                b[k] = (byte) (k * 29 + 7);
                sum[k] = (byte) (a[k] + b[k]);
            }
            assertThat(i.func("i8_add").call(V128.ofI8x16(a), V128.ofI8x16(b))).containsExactly(V128.ofI8x16(sum));
            assertThat(i.func("i16_mul")
                            .call(
                                    V128.ofI16x8(
                                            (short) 300,
                                            (short) -2,
                                            (short) 3,
                                            (short) 4,
                                            (short) 5,
                                            (short) 6,
                                            (short) 7,
                                            Short.MIN_VALUE),
                                    V128.ofI16x8(
                                            (short) 300,
                                            (short) 3,
                                            (short) 3,
                                            (short) 3,
                                            (short) 3,
                                            (short) 3,
                                            (short) 3,
                                            (short) -1)))
                    .containsExactly(V128.ofI16x8(
                            (short) (300 * 300),
                            (short) -6,
                            (short) 9,
                            (short) 12,
                            (short) 15,
                            (short) 18,
                            (short) 21,
                            Short.MIN_VALUE));
            assertThat(i.func("i32_sub").call(V128.ofI32x4(Integer.MIN_VALUE, 5, 0, -1), V128.ofI32x4(1, 7, 1, -1)))
                    .containsExactly(V128.ofI32x4(Integer.MAX_VALUE, -2, -1, 0));
            assertThat(i.func("i64_neg").call(V128.ofI64x2(Long.MIN_VALUE, 42)))
                    .containsExactly(V128.ofI64x2(Long.MIN_VALUE, -42));
            V128 q = (V128) i.func("f32_div").call(V128.ofF32x4(1f, -0f, 0f, 7f), V128.ofF32x4(4f, 1f, 0f, -2f))[0];
            assertThat(q.f32(0)).isEqualTo(0.25f);
            assertThat(Float.floatToRawIntBits(q.f32(1))).isEqualTo(Float.floatToRawIntBits(-0f));
            assertThat(Float.isNaN(q.f32(2))).isTrue(); // 0/0
            assertThat(q.f32(3)).isEqualTo(-3.5f);
            V128 r = (V128) i.func("f64_sqrt").call(V128.ofF64x2(2.25, -1))[0];
            assertThat(r.f64(0)).isEqualTo(1.5);
            assertThat(Double.isNaN(r.f64(1))).isTrue();
        }
    }

    @Test
    void nanPayloadsAndSignalingNansKeepTheirBits() {
        try (Engine engine = new Engine();
                Store store = new Store(engine);
                Module module = Module.compile(engine, LANES);
                Instance i = Instance.create(store, module)) {
            // signaling NaNs with payloads, a negative quiet NaN, and an infinity: lanes are carried as bits
            V128 f32 = V128.ofI32x4(0x7F80_0001, 0xFFC0_1234, 0x7FA0_0000, 0xFF80_0000);
            assertThat(i.func("id").call(f32)).containsExactly(f32);
            V128 f64 = V128.ofI64x2(0x7FF0_0000_0000_0001L, 0xFFF8_0000_DEAD_BEEFL);
            Object back = i.func("id").call(f64)[0];
            assertThat(back).isEqualTo(f64);
            assertThat(((V128) back).i64(1)).isEqualTo(0xFFF8_0000_DEAD_BEEFL);
        }
    }

    @Test
    void v128MixesWithOtherTypesInParamsAndMultipleResults() {
        try (Engine engine = new Engine();
                Store store = new Store(engine);
                Module module = Module.compile(engine, LANES);
                Instance i = Instance.create(store, module)) {
            assertThat(i.func("mixed").call(99, V128.ofI32x4(10, 20, 30, 40), 2.5))
                    .containsExactly(V128.ofI32x4(10, 20, 30, 99), 10, 2.5);
            assertThatThrownBy(() -> i.func("mixed").call(99, 1L, 2.5))
                    .isInstanceOf(WasmArgumentException.class)
                    .hasMessageContaining("argument 1")
                    .hasMessageContaining("V128");
            assertThatThrownBy(() -> i.func("id").call())
                    .isInstanceOf(WasmArgumentException.class)
                    .hasMessageContaining("takes 1 arguments");
        }
    }

    @Test
    void trapsInV128FunctionsAreTraps() {
        try (Engine engine = new Engine();
                Store store = new Store(engine);
                Module module = Module.compile(engine, LANES);
                Instance i = Instance.create(store, module)) {
            assertThat(i.func("load").call(0)).containsExactly(new V128(0, 0));
            assertThatThrownBy(() -> i.func("load").call(65536 - 8))
                    .isInstanceOf(TrapException.class)
                    .satisfies(e -> assertThat(((TrapException) e).kind()).isEqualTo(TrapKind.MEMORY_OUT_OF_BOUNDS));
            assertThat(i.func("load").call(65536 - 16)).containsExactly(new V128(0, 0)); // still usable
        }
    }

    @Test
    void v128GlobalsReadWriteCreateAndImport() {
        try (Engine engine = new Engine();
                Store store = new Store(engine);
                Module module = Module.compile(engine, LANES);
                Instance i = Instance.create(store, module)) {
            assertThat(i.global("const").get())
                    .isEqualTo(V128.ofI16x8(
                            (short) 1, (short) -2, (short) 3, (short) -4, (short) 5, (short) -6, (short) 7, (short)
                                    -8));
            assertThatThrownBy(() -> i.global("const").set(new V128(1, 2)))
                    .isInstanceOf(WasmArgumentException.class)
                    .hasMessageContaining("immutable");
            Global var = i.global("var");
            var.set(new V128(0x0123_4567_89AB_CDEFL, -1L));
            assertThat(var.get()).isEqualTo(new V128(0x0123_4567_89AB_CDEFL, -1L));
            assertThatThrownBy(() -> var.set(5)).isInstanceOf(WasmArgumentException.class);

            Global made = Global.create(store, new GlobalType(ValType.V128, false), V128.ofI32x4(0, 0, 40, 0));
            assertThat(made.get()).isEqualTo(V128.ofI32x4(0, 0, 40, 0));
            try (Module m = Module.compile(engine, IMPORTS_GLOBAL);
                    Instance user = Instance.create(store, m, made)) {
                assertThat(user.func("lane").call(2)).containsExactly(42);
            }
        }
    }

    private static final String CALLS_HOST = """
            (module
              (import "env" "shuffle" (func $shuffle (param i32 v128 v128) (result v128 i64)))
              (table (export "tab") 1 funcref)
              (elem (i32.const 0) $shuffle)
              (func (export "run") (param v128 v128) (result v128 i64)
                (call $shuffle (i32.const 7) (local.get 0) (local.get 1))))
            """;

    @Test
    void hostFunctionsDeclaredWithV128AreCalledFromWasmAndFromJava() {
        try (Engine engine = new Engine();
                Store store = new Store(engine)) {
            FuncType type =
                    FuncType.of(List.of(ValType.I32, ValType.V128, ValType.V128), List.of(ValType.V128, ValType.I64));
            List<Instance> callers = new java.util.ArrayList<>();
            Func shuffle = Func.host(store, type, c -> {
                assertThat(c.type()).isEqualTo(type);
                callers.add(c.caller());
                V128 a = c.v128(1);
                V128 b = (V128) c.param(2);
                c.result(0, new V128(b.high(), a.low())).result(1, (long) c.i32(0) + a.i32(0));
            });
            assertThat(shuffle.type()).isEqualTo(type);
            assertThat(shuffle.name()).isEqualTo("host" + type);
            V128 x = V128.ofI64x2(0x11, 0x22);
            V128 y = V128.ofI64x2(0x33, 0x44);
            assertThat(shuffle.call(5, x, y)).containsExactly(V128.ofI64x2(0x44, 0x11), 5L + 0x11);
            try (Module m = Module.compile(engine, CALLS_HOST);
                    Instance i = Instance.create(store, m, shuffle)) {
                assertThat(i.func("run").call(x, y)).containsExactly(V128.ofI64x2(0x44, 0x11), 7L + 0x11);
                // from Java no caller; from wasm the importing instance, not the adapter between them
                assertThat(callers).containsExactly(null, i);
                // a v128 function in a table: a wasm function (the adapter's), so its funcref is safe to hold
                assertThat(i.table("tab").get(0)).isInstanceOf(Func.class);
            }
            Func boxed = Func.host(
                    store, FuncType.of(List.of(ValType.V128), List.of(ValType.V128)), c -> c.results(c.params()));
            assertThat(boxed.call(y)).containsExactly(y);
            Func failing = Func.host(store, FuncType.of(List.of(ValType.V128), List.of(ValType.V128)), c -> {
                throw new IllegalStateException("no lanes today");
            });
            assertThatThrownBy(() -> failing.call(x))
                    .isInstanceOf(TrapException.class)
                    .hasRootCauseMessage("no lanes today");
            Func wrongResult =
                    Func.host(store, FuncType.of(List.of(ValType.V128), List.of(ValType.V128)), c -> c.result(0, 1));
            assertThatThrownBy(() -> wrongResult.call(x))
                    .isInstanceOf(TrapException.class)
                    .hasRootCauseInstanceOf(WasmArgumentException.class);
        }
    }

    private static final String TABLE = """
            (module
              (table (export "tab") 3 funcref)
              (table (export "refs") 1 externref)
              (elem (i32.const 0) $swap $sum)
              (func $swap (param v128) (result v128) (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7
                (local.get 0) (local.get 0)))
              (func $sum (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1))))
            """;

    @Test
    void tablesHoldingV128FunctionsAreCalledThroughCallIndirect() {
        try (Engine engine = new Engine();
                Store store = new Store(engine);
                Module module = Module.compile(engine, TABLE);
                Instance i = Instance.create(store, module)) {
            Table tab = i.table("tab");
            FuncType swap = FuncType.of(List.of(ValType.V128), List.of(ValType.V128));
            FuncType sum = FuncType.of(List.of(ValType.I32, ValType.I32), List.of(ValType.I32));
            assertThat(tab.call(0, swap, new V128(1, 2))).containsExactly(new V128(2, 1));
            // a plain function in a store holding v128 code: its funcref's type cannot be asked, the table can call
            assertThatThrownBy(() -> ((Func) tab.get(1)).type()).isInstanceOf(WasmerException.class);
            assertThat(tab.call(1, sum, 40, 2)).containsExactly(42);
            assertThatThrownBy(() -> tab.call(0, sum, 1, 2))
                    .isInstanceOfSatisfying(TrapException.class, e -> assertThat(e.kind())
                            .isEqualTo(TrapKind.INDIRECT_CALL_TYPE_MISMATCH));
            assertThatThrownBy(() -> tab.call(2, sum, 1, 2))
                    .isInstanceOfSatisfying(
                            TrapException.class, e -> assertThat(e.kind()).isEqualTo(TrapKind.UNINITIALIZED_ELEMENT));
            assertThatThrownBy(() -> tab.call(3, sum, 1, 2)).isInstanceOf(TrapException.class);
            assertThatThrownBy(() -> tab.call(-1, sum, 1, 2)).isInstanceOf(IndexOutOfBoundsException.class);
            assertThatThrownBy(() -> tab.call(1, sum, 1))
                    .isInstanceOf(WasmArgumentException.class)
                    .hasMessageContaining("takes 2 arguments");
            assertThatThrownBy(() -> i.table("refs").call(0, sum, 1, 2))
                    .isInstanceOf(WasmArgumentException.class)
                    .hasMessageContaining("externref");
            tab.set(2, tab.get(0)); // a v128 function's funcref moves like any other
            assertThat(tab.call(2, swap, new V128(3, 4))).containsExactly(new V128(4, 3));
        }
    }

    @Test
    void adaptersAreCompiledOncePerEngineAndSignature() {
        try (Engine engine = new Engine();
                Module module = Module.compile(engine, LANES)) {
            for (int s = 0; s < 2; s++) {
                try (Store store = new Store(engine);
                        Instance i = Instance.create(store, module)) {
                    i.func("i8_add").call(new V128(1, 2), new V128(3, 4));
                    i.func("i16_mul").call(new V128(1, 2), new V128(3, 4)); // same signature as i8_add
                    i.func("id").call(new V128(1, 2));
                    i.global("var").get();
                    // one adapter instance per function or global, made lazily in the function's store
                    assertThat(store.instanceCount()).isEqualTo(1 + 3 + 1);
                }
            }
            // (v128, v128) -> v128, (v128) -> v128, and the mutable v128 global
            assertThat(engine.generated).hasSize(3);
        }
    }

    @Test
    void adaptersAndDriversAreFreedWithTheirStoreAndEngine() throws Exception {
        long before = LiveObjects.settled();
        try (Engine engine = new Engine();
                Module module = Module.compile(engine, LANES)) {
            for (int s = 0; s < 3; s++) {
                try (Store store = new Store(engine);
                        Instance i = Instance.create(store, module)) {
                    i.func("id").call(new V128(s, s));
                    i.global("var").set(new V128(s, s));
                    Global.create(store, new GlobalType(ValType.V128, true), new V128(1, 1))
                            .get();
                    Func.host(store, FuncType.of(List.of(ValType.V128), List.of()), c -> {})
                            .call(new V128(0, 0));
                    int[] out = new int[3];
                    Func.host(
                                    store,
                                    FuncType.of(List.of(ValType.I32), List.of(ValType.I32)),
                                    c -> c.result(0, c.i32(0) + 1))
                            .batch()
                            .run(3, new Object[] {new int[] {1, 2, 3}}, new Object[] {out
                            }); // a batch over a host function: one upcall per row
                    assertThat(out).containsExactly(2, 3, 4);
                }
            }
            assertThat(engine.generated).isNotEmpty();
        }
        assertThat(LiveObjects.settled()).isEqualTo(before);
    }

    @Test
    void meteredModulesRefuseV128CallsInsteadOfCompilingASecondModule() {
        try (Engine engine = new Engine(new Config().metering(Metering.of(1_000_000)));
                Module module = Module.compile(engine, LANES);
                Store store = new Store(module);
                Instance i = Instance.create(store, module)) {
            assertThatThrownBy(() -> i.func("id").call(new V128(1, 2)))
                    .isInstanceOf(WasmArgumentException.class)
                    .hasMessageContaining("metered");
            assertThatThrownBy(() -> i.global("var").get())
                    .isInstanceOf(WasmArgumentException.class)
                    .hasMessageContaining("metered");
        }
    }

    @Test
    void laneViewsAreLittleEndianAndChecked() {
        V128 v = V128.ofI8x16(
                (byte) 1, (byte) 2, (byte) 3, (byte) 4, (byte) 5, (byte) 6, (byte) 7, (byte) 8, (byte) 9, (byte) 10,
                (byte) 11, (byte) 12, (byte) 13, (byte) 14, (byte) 15, (byte) -1);
        assertThat(v.low()).isEqualTo(0x0807_0605_0403_0201L);
        assertThat(v.i16(0)).isEqualTo((short) 0x0201);
        assertThat(v.i32(3)).isEqualTo(0xFF0F_0E0D);
        assertThat(v.i64(1)).isEqualTo(0xFF0F_0E0D_0C0B_0A09L);
        assertThat(v.i8(15)).isEqualTo((byte) -1);
        assertThat(V128.ofF64x2(1.0, -2.0).f64(1)).isEqualTo(-2.0);
        assertThat(V128.ofF32x4(1f, 2f, 3f, 4f).f32(2)).isEqualTo(3f);
        assertThat(v.toString()).isEqualTo("v128[0xff0f0e0d0c0b0a090807060504030201]");
        assertThatThrownBy(() -> v.i32(4)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> V128.ofI32x4(1, 2))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("4 lanes");
        assertThat(List.of(V128.ofI64x2(-1, 0).i32(0), V128.ofI64x2(-1, 0).i32(2)))
                .containsExactly(-1, 0);
    }
}
