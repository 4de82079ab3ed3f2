package dev.wasmerffm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The C API has no memory limiter: the binding rewrites declared maxima before compiling. */
class LimitsCapTest {

    static final String GROWS = """
            (module
              (memory (export "mem") 1)
              (func (export "grow") (param i32) (result i32) local.get 0 memory.grow))
            """;

    @Test
    void aMemoryWithoutMaximumGetsTheCapAndGrowthPastItFailsInsideWasm() {
        try (Engine engine = new Engine(new Config().maxMemory(3 * Memory.PAGE_SIZE + 100));
                Module m = Module.compile(engine, GROWS);
                Store s = new Store(engine);
                Instance in = Instance.create(s, m)) {
            assertThat(m.exports().getFirst().type()).isEqualTo(new MemoryType(new Limits(1, 3)));
            assertThat(in.func("grow").call(5)).containsExactly(-1);
            assertThat(in.func("grow").call(2)).containsExactly(1);
            assertThat(in.memory("mem").pages()).isEqualTo(3);
            assertThat(in.func("grow").call(1)).containsExactly(-1);
            assertThat(engine.config().toString()).contains("maxMemoryPages=3");
        }
    }

    @Test
    void aHigherMaximumIsLoweredALowerOneKeptAndAnOversizedMinimumRefused() {
        try (Engine engine = new Engine(new Config().maxMemory(4 * Memory.PAGE_SIZE))) {
            try (Module high = Module.compile(engine, "(module (memory (export \"m\") 1 100))");
                    Module low = Module.compile(engine, "(module (memory (export \"m\") 1 2))")) {
                assertThat(high.exports().getFirst().type()).isEqualTo(new MemoryType(new Limits(1, 4)));
                assertThat(low.exports().getFirst().type()).isEqualTo(new MemoryType(new Limits(1, 2)));
            }
            assertThatThrownBy(() -> Module.compile(engine, "(module (memory 5))"))
                    .isInstanceOf(CompileException.class)
                    .hasMessageContaining("needs at least 5 pages")
                    .hasMessageContaining("limit of 4 pages");
            try (Store store = new Store(engine);
                    Module viaStore = Module.compile(store, Wasmer.wat2wasm("(module (memory (export \"m\") 0))"))) {
                assertThat(viaStore.exports().getFirst().type()).isEqualTo(new MemoryType(new Limits(0, 4)));
            }
        }
        assertThatThrownBy(() -> new Config().maxMemory(-1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void tablesAreCappedLikewise() {
        String wat = """
                (module (table (export "t") 2 funcref) (table (export "u") 1 1000 externref)
                  (func (export "grow") (param i32) (result i32) ref.null func local.get 0 table.grow 0))""";
        try (Engine engine = new Engine(new Config().maxTableElements(10));
                Module m = Module.compile(engine, wat);
                Store s = new Store(engine);
                Instance in = Instance.create(s, m)) {
            assertThat(m.exports().get(0).type()).isEqualTo(new TableType(ValType.FUNCREF, new Limits(2, 10)));
            assertThat(m.exports().get(1).type()).isEqualTo(new TableType(ValType.EXTERNREF, new Limits(1, 10)));
            assertThat(in.func("grow").call(9)).containsExactly(-1);
            assertThat(in.func("grow").call(8)).containsExactly(2);
            assertThat(in.table("t").size()).isEqualTo(10);
            assertThatThrownBy(() -> Module.compile(engine, "(module (table 11 funcref))"))
                    .isInstanceOf(CompileException.class)
                    .hasMessageContaining("table 0 needs at least 11 elements");
        }
        assertThatThrownBy(() -> new Config().maxTableElements(-1)).isInstanceOf(IllegalArgumentException.class);
    }
}
