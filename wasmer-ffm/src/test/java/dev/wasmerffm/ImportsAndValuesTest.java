package dev.wasmerffm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ImportsAndValuesTest {

    static final String ALL_KINDS = """
            (module
              (import "env" "f" (func $f (param i32) (result i32)))
              (import "env" "g" (global $g (mut i64)))
              (import "env" "t" (table 2 funcref))
              (import "env" "m" (memory 1 4))
              (func (export "callf") (param i32) (result i32) local.get 0 call $f)
              (func (export "getg") (result i64) global.get $g)
              (func (export "setg") (param i64) local.get 0 global.set $g)
              (func (export "tsize") (result i32) table.size 0)
              (func (export "load") (param i32) (result i32) local.get 0 i32.load8_u))
            """;

    static final String ECHO = """
            (module
              (func (export "i32") (param i32) (result i32) local.get 0)
              (func (export "i64") (param i64) (result i64) local.get 0)
              (func (export "f32") (param f32) (result f32) local.get 0)
              (func (export "f64") (param f64) (result f64) local.get 0)
              (func (export "ext") (param externref) (result externref) local.get 0)
              (func (export "fref") (param funcref) (result funcref) local.get 0)
              (func (export "multi") (param i32 i64) (result i64 i32) local.get 1 local.get 0)
              (func (export "is_null") (param externref) (result i32) local.get 0 ref.is_null))
            """;

    Engine engine;
    Store store;

    @BeforeEach
    void setUp() {
        engine = new Engine();
        store = new Store(engine);
    }

    @AfterEach
    void tearDown() {
        store.close();
        engine.close();
    }

    @Test
    void importsOfEveryKindFromJava() {
        try (Module module = Module.compile(engine, ALL_KINDS)) {
            Func f = Func.host(
                    store, FuncType.of(List.of(ValType.I32), List.of(ValType.I32)), c -> c.result(0, c.i32(0) + 1));
            Global g = Global.create(store, new GlobalType(ValType.I64, true), 5L);
            Table t = Table.create(store, new TableType(ValType.FUNCREF, new Limits(2, 10)), null);
            Memory m = Memory.create(store, new MemoryType(new Limits(1, 4)));
            m.write(3, new byte[] {42});
            Instance instance = Instance.create(
                    store,
                    module,
                    new Imports()
                            .define("env", "f", f)
                            .define("env", "g", g)
                            .define("env", "t", t)
                            .define("env", "m", m));
            assertThat(instance.func("callf").call(1)).containsExactly(2);
            assertThat(instance.func("getg").call()).containsExactly(5L);
            instance.func("setg").call(9L);
            assertThat(g.get()).isEqualTo(9L);
            g.set(11L);
            assertThat(instance.func("getg").call()).containsExactly(11L);
            assertThat(instance.func("tsize").call()).containsExactly(2);
            assertThat(instance.func("load").call(3)).containsExactly(42);
            assertThat(module.imports()).extracting(ImportType::name).containsExactly("f", "g", "t", "m");
            assertThat(module.imports().get(3).type()).isEqualTo(new MemoryType(new Limits(1, 4)));
        }
    }

    @Test
    void twoLevelNamesAreNeverJoined() {
        try (Module module = Module.compile(engine, """
                (module (import "a.b" "c" (func $x (result i32))) (import "a" "b.c" (func $y (result i32)))
                  (func (export "x") (result i32) call $x) (func (export "y") (result i32) call $y))""")) {
            FuncType t = FuncType.of(List.of(), List.of(ValType.I32));
            Instance instance = Instance.create(
                    store,
                    module,
                    new Imports()
                            .define("a.b", "c", Func.host(store, t, c -> c.result(0, 1)))
                            .define("a", "b.c", Func.host(store, t, c -> c.result(0, 2))));
            assertThat(instance.func("x").call()).containsExactly(1);
            assertThat(instance.func("y").call()).containsExactly(2);
            assertThatThrownBy(() -> Instance.create(
                            store, module, new Imports().define("a.b", "c", Func.host(store, t, c -> {}))))
                    .isInstanceOf(LinkException.class)
                    .hasMessageContaining("missing import a.b.c");
        }
    }

    @Test
    void linkErrorsNameTheImportAndBothTypes() {
        try (Module module = Module.compile(engine, ALL_KINDS)) {
            Func wrong = Func.host(store, FuncType.of(List.of(ValType.I64), List.of()), c -> {});
            Global g = Global.create(store, new GlobalType(ValType.I64, true), 0L);
            Global constG = Global.create(store, new GlobalType(ValType.I64, false), 0L);
            Table t = Table.create(store, new TableType(ValType.FUNCREF, Limits.atLeast(2)), null);
            Memory m = Memory.create(store, new MemoryType(new Limits(1, 4)));
            Memory big = Memory.create(store, new MemoryType(new Limits(1, 8)));
            assertThatThrownBy(() -> Instance.create(store, module, new Imports().define("env", "f", wrong)))
                    .isInstanceOf(LinkException.class)
                    .hasMessageContaining("missing import env.g");
            assertThatThrownBy(() -> Instance.create(store, module, wrong, g, t, m))
                    .isInstanceOf(LinkException.class)
                    .hasMessageContaining("import env.f must be (i32) -> (i32), got (i64) -> ()");
            Func f = Func.host(store, FuncType.of(List.of(ValType.I32), List.of(ValType.I32)), c -> {});
            assertThatThrownBy(() -> Instance.create(store, module, f, constG, t, m))
                    .isInstanceOf(LinkException.class)
                    .hasMessageContaining("env.g must be global (mut i64)");
            assertThatThrownBy(() -> Instance.create(store, module, f, g, t, big))
                    .isInstanceOf(LinkException.class)
                    .hasMessageContaining("env.m must be memory 1..4");
            assertThatThrownBy(() -> Instance.create(store, module, f, m, t, g))
                    .isInstanceOf(LinkException.class)
                    .hasMessageContaining("must be a global");
            assertThatThrownBy(() -> Instance.create(store, module, f, g))
                    .isInstanceOf(LinkException.class)
                    .hasMessageContaining("needs 4 imports");
            assertThatThrownBy(() -> Instance.create(store, module, f, g, null, m))
                    .isInstanceOf(LinkException.class)
                    .hasMessageContaining("env.t is null");
            try (Store other = new Store(engine)) {
                Memory elsewhere = Memory.create(other, new MemoryType(new Limits(1, 4)));
                assertThatThrownBy(() -> Instance.create(store, module, f, g, t, elsewhere))
                        .isInstanceOf(LinkException.class)
                        .hasMessageContaining("another store");
            }
        }
    }

    @Test
    void valuesRoundTripExactly() {
        try (Module module = Module.compile(engine, ECHO);
                Instance in = Instance.create(store, module)) {
            for (int v : new int[] {0, -1, Integer.MIN_VALUE, Integer.MAX_VALUE}) {
                assertThat(in.func("i32").call(v)).containsExactly(v);
            }
            for (long v : new long[] {0, -1, Long.MIN_VALUE, Long.MAX_VALUE}) {
                assertThat(in.func("i64").call(v)).containsExactly(v);
                assertThat(in.func("i64").asLongUnaryOperator().applyAsLong(v)).isEqualTo(v);
            }
            float nanF = Float.intBitsToFloat(0x7fa00001);
            Object f = in.func("f32").call(nanF)[0];
            assertThat(Float.floatToRawIntBits((Float) f)).isEqualTo(0x7fa00001);
            assertThat(Float.floatToRawIntBits((Float) in.func("f32").call(-0.0f)[0]))
                    .isEqualTo(Float.floatToRawIntBits(-0.0f));
            double nanD = Double.longBitsToDouble(0x7ff4000000000001L);
            assertThat(Double.doubleToRawLongBits((Double) in.func("f64").call(nanD)[0]))
                    .isEqualTo(0x7ff4000000000001L);
            assertThat(Double.doubleToRawLongBits(
                            in.func("f64").asDoubleUnaryOperator().applyAsDouble(-0.0)))
                    .isEqualTo(Double.doubleToRawLongBits(-0.0));
            Object host = new StringBuilder("a host object");
            assertThat(in.func("ext").call(host)[0]).isSameAs(host);
            assertThat(in.func("ext").call((Object) null)[0]).isNull();
            assertThat(in.func("is_null").call((Object) null)).containsExactly(1);
            assertThat(in.func("is_null").call("x")).containsExactly(0);
            assertThat(in.func("fref").call((Object) null)[0]).isNull();
            Object back = in.func("fref").call(in.func("i32"))[0];
            assertThat(back).isInstanceOf(Func.class);
            assertThat(((Func) back).call(5)).containsExactly(5);
            assertThat(in.func("multi").call(1, 2L)).containsExactly(2L, 1);
        }
    }

    @Test
    void wrongArgumentsAreRefusedBeforeTheCall() {
        try (Module module = Module.compile(engine, ECHO);
                Instance in = Instance.create(store, module)) {
            assertThatThrownBy(() -> in.func("i32").call(1L))
                    .isInstanceOf(WasmArgumentException.class)
                    .hasMessageContaining("argument 0 of Func[i32]: expected i32 (Integer), got Long 1");
            assertThatThrownBy(() -> in.func("i32").call())
                    .isInstanceOf(WasmArgumentException.class)
                    .hasMessageContaining("takes 1 arguments");
            assertThatThrownBy(() -> in.func("i32").asLongBinaryOperator())
                    .isInstanceOf(WasmArgumentException.class)
                    .hasMessageContaining("has signature (i32) -> (i32)");
            Func host = Func.host(store, FuncType.of(List.of(), List.of()), c -> {});
            assertThatThrownBy(() -> in.func("fref").call(host))
                    .isInstanceOf(WasmArgumentException.class)
                    .hasMessageContaining("host function cannot be passed as a funcref");
        }
    }

    @Test
    void typedViewsOfEverySupportedShape() {
        String wat = """
                (module
                  (global $n (mut i32) (i32.const 0))
                  (func (export "tick") (global.set $n (i32.add (global.get $n) (i32.const 1))))
                  (func (export "count") (result i32) global.get $n)
                  (func (export "ladd") (param i64 i64) (result i64) local.get 0 local.get 1 i64.add)
                  (func (export "dmul") (param f64 f64) (result f64) local.get 0 local.get 1 f64.mul)
                  (func (export "half") (param f32) (result f32) local.get 0 f32.const 0.5 f32.mul))
                """;
        try (Module module = Module.compile(engine, wat);
                Instance in = Instance.create(store, module)) {
            Runnable tick = in.func("tick").asRunnable();
            tick.run();
            tick.run();
            assertThat(in.func("count").asIntSupplier().getAsInt()).isEqualTo(2);
            assertThat(in.func("ladd").asLongBinaryOperator().applyAsLong(Long.MAX_VALUE, 1))
                    .isEqualTo(Long.MIN_VALUE);
            assertThat(in.func("dmul").asDoubleBinaryOperator().applyAsDouble(1.5, 4))
                    .isEqualTo(6.0);
            assertThat(in.func("half").call(3f)).containsExactly(1.5f);
            assertThat(in.func("half").name()).isEqualTo("half");
            Func hostHalf = Func.host(store, FuncType.of(List.of(ValType.F32), List.of(ValType.F32)), c -> {
                assertThat(c.type().params()).containsExactly(ValType.F32);
                assertThat(c.store()).isSameAs(store);
                c.result(0, c.f32(0) / 2);
            });
            assertThat(hostHalf.call(5f)).containsExactly(2.5f);
            assertThat(in.export("tick")).isPresent();
            assertThat(in.export("nope")).isEmpty();
            assertThat(in.toString()).contains("tick");
            assertThat(in.func("tick").store()).isSameAs(store);
            assertThatThrownBy(() -> in.memory("tick"))
                    .isInstanceOf(NoSuchExportException.class)
                    .hasMessageContaining("is a func, not a memory");
        }
        assertThat(store.toString()).contains("cranelift");
        assertThat(engine.toString()).contains("cranelift");
        assertThat(engine.config().toString()).contains("backend=cranelift");
    }
}
