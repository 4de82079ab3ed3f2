package dev.wasmerffm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class MemoryTableGlobalTest {

    static final String MODULE = """
            (module
              (memory (export "mem") 1 3)
              (global (export "counter") (mut i32) (i32.const 1))
              (global (export "pi") f64 (f64.const 3.25))
              (table (export "tab") 2 5 funcref)
              (elem (i32.const 0) $id)
              (func $id (export "id") (param i32) (result i32) local.get 0)
              (func (export "grow") (param i32) (result i32) local.get 0 memory.grow)
              (func (export "store") (param i32 i32) local.get 0 local.get 1 i32.store8)
              (func (export "load") (param i32) (result i32) local.get 0 i32.load8_u))
            """;

    Engine engine;
    Store store;
    Module module;
    Instance instance;

    @BeforeEach
    void setUp() {
        engine = new Engine();
        store = new Store(engine);
        module = Module.compile(engine, MODULE);
        instance = Instance.create(store, module);
    }

    @AfterEach
    void tearDown() {
        instance.close();
        store.close();
        module.close();
        engine.close();
    }

    @Test
    void memoryViewAndBulkCopiesStayCorrectAfterGrow() {
        Memory mem = instance.memory("mem");
        assertThat(mem.pages()).isEqualTo(1);
        assertThat(mem.dataSize()).isEqualTo(Memory.PAGE_SIZE);
        assertThat(mem.type()).isEqualTo(new MemoryType(new Limits(1, 3)));
        MemorySegment before = mem.segment();
        before.set(ValueLayout.JAVA_BYTE, 100, (byte) 7);
        assertThat(instance.func("load").call(100)).containsExactly(7);

        assertThat(mem.grow(1)).isTrue(); // from Java
        assertThat(instance.func("grow").call(1)).containsExactly(2); // from wasm
        assertThat(mem.pages()).isEqualTo(3);
        assertThat(mem.grow(1)).isFalse(); // past the maximum
        assertThat(instance.func("grow").call(1)).containsExactly(-1);

        MemorySegment after = mem.segment();
        assertThat(after.byteSize()).isEqualTo(3 * Memory.PAGE_SIZE);
        assertThat(after.address()).isEqualTo(before.address()); // the base did not move
        assertThat(after.get(ValueLayout.JAVA_BYTE, 100)).isEqualTo((byte) 7);

        long high = 3 * Memory.PAGE_SIZE - 10;
        mem.write(high, new byte[] {1, 2, 3});
        assertThat(instance.func("load").call((int) high + 2)).containsExactly(3);
        instance.func("store").call((int) high + 3, 9);
        assertThat(mem.read(high, 4)).containsExactly(1, 2, 3, 9);
        ByteBuffer direct = ByteBuffer.allocateDirect(4);
        mem.read(high, direct);
        assertThat(direct.flip().get(3)).isEqualTo((byte) 9);
        mem.write(0, ByteBuffer.wrap(new byte[] {5, 6}));
        assertThat(mem.read(0, 2)).containsExactly(5, 6);
        assertThatThrownBy(() -> mem.read(high, 11)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> mem.write(-1, new byte[1])).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> mem.grow(-1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void globalsGetSetAndRefuseWhatLibwasmerWouldSilentlyAccept() {
        Global counter = instance.global("counter");
        assertThat(counter.type()).isEqualTo(new GlobalType(ValType.I32, true));
        assertThat(counter.nativeType()).isEqualTo(counter.type());
        assertThat(counter.get()).isEqualTo(1);
        counter.set(5);
        assertThat(counter.get()).isEqualTo(5);
        assertThatThrownBy(() -> counter.set(5L))
                .isInstanceOf(WasmArgumentException.class)
                .hasMessageContaining("expected i32");
        Global pi = instance.global("pi");
        assertThat(pi.get()).isEqualTo(3.25);
        assertThatThrownBy(() -> pi.set(1.0))
                .isInstanceOf(WasmArgumentException.class)
                .hasMessageContaining("immutable");
        assertThat(counter.same(instance.global("counter"))).isTrue();
        assertThat(counter.same(pi)).isFalse();
        assertThat(counter.toString()).contains("counter");
    }

    @Test
    void tablesGetSetGrowAndCheckIndices() {
        Table tab = instance.table("tab");
        assertThat(tab.size()).isEqualTo(2);
        assertThat(tab.type()).isEqualTo(new TableType(ValType.FUNCREF, new Limits(2, 5)));
        Object first = tab.get(0);
        assertThat(first).isInstanceOf(Func.class);
        assertThat(((Func) first).call(3)).containsExactly(3);
        assertThat(((Func) first).type()).isEqualTo(instance.func("id").type());
        assertThat(tab.get(1)).isNull();
        tab.set(1, instance.func("load"));
        assertThat(tab.get(1)).isInstanceOf(Func.class);
        tab.set(1, null);
        assertThat(tab.get(1)).isNull();
        assertThat(tab.grow(2, instance.func("id"))).isTrue();
        assertThat(tab.size()).isEqualTo(4);
        assertThat(((Func) tab.get(3)).call(8)).containsExactly(8);
        assertThat(tab.grow(2, null)).isFalse();
        assertThatThrownBy(() -> tab.get(4)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> tab.set(-1, null)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> tab.set(0, "not a func")).isInstanceOf(WasmArgumentException.class);
    }

    @Test
    void tablesAndMemoriesImportAtTheirCurrentSizeNotTheirDeclaredMinimum() {
        String exporter = "(module (table (export \"t\") 1 funcref) (memory (export \"m\") 1))";
        String importer = """
                (module (import "a" "t" (table 2 funcref)) (import "a" "m" (memory 2))
                  (func (export "sizes") (result i32) table.size 0 i32.const 100 i32.mul memory.size i32.add))""";
        try (Module ex = Module.compile(engine, exporter);
                Module im = Module.compile(engine, importer)) {
            Instance from = Instance.create(store, ex);
            Table t = from.table("t");
            Memory m = from.memory("m");
            assertThatThrownBy(() -> Instance.create(store, im, t, m))
                    .isInstanceOf(LinkException.class)
                    .hasMessageContaining("import a.t must be table 2.. funcref, got table 1.. funcref");
            assertThat(t.grow(1, null)).isTrue();
            assertThatThrownBy(() -> Instance.create(store, im, t, m))
                    .isInstanceOf(LinkException.class)
                    .hasMessageContaining("import a.m must be memory 2.., got memory 1..");
            assertThat(m.grow(1)).isTrue();
            assertThat(t.type().limits().min()).isEqualTo(1); // still declared with 1: the size is what counts
            Instance linked = Instance.create(store, im, t, m);
            assertThat(linked.func("sizes").call()).containsExactly(202);
        }
    }

    @Test
    void externrefTablesAndGlobalsFromJava() {
        Table t = Table.create(store, new TableType(ValType.EXTERNREF, Limits.atLeast(1)), "init");
        assertThat(t.get(0)).isEqualTo("init");
        t.set(0, 42L);
        assertThat(t.get(0)).isEqualTo(42L);
        Global g = Global.create(store, new GlobalType(ValType.F32, true), 1.5f);
        g.set(Float.intBitsToFloat(0x7fc00123));
        assertThat(Float.floatToRawIntBits((Float) g.get())).isEqualTo(0x7fc00123);
        assertThat(g.kind()).isEqualTo(ExternKind.GLOBAL);
        assertThat(t.kind()).isEqualTo(ExternKind.TABLE);
    }
}
