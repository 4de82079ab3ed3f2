package dev.wasmerffm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Use after close throws IllegalStateException on every handle type and never reaches native code. */
class LifecycleTest {

    static final String MODULE = """
            (module
              (memory (export "mem") 1)
              (global (export "g") (mut i32) (i32.const 1))
              (table (export "t") 1 funcref)
              (func (export "f") (result i32) i32.const 1))
            """;

    @Test
    void everyHandleThrowsAfterCloseAndDoubleCloseIsANoOp() {
        Engine engine = new Engine();
        Store store = new Store(engine);
        Module module = Module.compile(engine, MODULE);
        Instance instance = Instance.create(store, module);
        Func f = instance.func("f");
        Memory mem = instance.memory("mem");
        Global g = instance.global("g");
        Table t = instance.table("t");
        Func host = Func.host(store, FuncType.of(List.of(), List.of()), c -> {});
        Memory ownMem = Memory.create(store, new MemoryType(Limits.atLeast(1)));

        host.close();
        host.close();
        assertThatThrownBy(host::call).isInstanceOf(IllegalStateException.class).hasMessageContaining("Func");
        ownMem.close();
        assertThatThrownBy(ownMem::pages).isInstanceOf(IllegalStateException.class);

        f.close();
        assertThatThrownBy(f::call).isInstanceOf(IllegalStateException.class);
        assertThat(f.isClosed()).isTrue();

        instance.close();
        instance.close();
        assertThat(instance.isClosed()).isTrue();
        assertThatThrownBy(instance::exports).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(mem::pages).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(g::get).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(t::size).isInstanceOf(IllegalStateException.class);

        Instance second = Instance.create(store, module);
        store.close();
        store.close();
        assertThatThrownBy(() -> second.func("f").call())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("Store is closed");
        assertThatThrownBy(() -> Instance.create(store, module)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> Memory.create(store, new MemoryType(Limits.atLeast(1))))
                .isInstanceOf(IllegalStateException.class);
        second.close();

        module.close();
        module.close();
        assertThatThrownBy(module::exports).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(module::serialize).isInstanceOf(IllegalStateException.class);
        try (Store other = new Store(engine)) {
            assertThatThrownBy(() -> Instance.create(other, module))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("Module is closed");
        }

        engine.close();
        engine.close();
        assertThat(engine.isClosed()).isTrue();
        assertThatThrownBy(() -> new Store(engine)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> Module.compile(engine, MODULE)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void forgottenHandlesAreFreedByTheCleaner() throws Exception {
        Engine engine = new Engine();
        Module module = Module.compile(engine, MODULE);
        for (int i = 0; i < 2_000; i++) {
            Store store = new Store(engine);
            Instance.create(store, module).func("f").call();
            Func.host(store, FuncType.of(List.of(), List.of()), c -> {});
        }
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (Upcalls.BINDINGS.size() > 100 && System.nanoTime() < deadline) {
            System.gc();
            Thread.sleep(50);
        }
        // the host function registry empties as libwasmer finalizes the envs of collected stores
        assertThat(Upcalls.BINDINGS.size()).isLessThanOrEqualTo(100);
        module.close();
        engine.close();
    }

    @Test
    void storesAndModulesStayUsableAfterTheirEngineCloses() {
        Engine engine = new Engine();
        Module module = Module.compile(engine, MODULE);
        Store store = new Store(engine);
        engine.close();
        try (Instance instance = Instance.create(store, module)) {
            assertThat(instance.func("f").call()).containsExactly(1);
        }
        store.close();
        module.close();
    }
}
