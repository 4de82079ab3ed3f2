package dev.wasmerffm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** libwasmer aborts the process when asked about v128 types; none of that is reachable from here. */
class SimdTest {

    static final String SIMD = """
            (module
              (global (export "vg") v128 (v128.const i32x4 1 2 3 4))
              (table (export "tab") 1 funcref)
              (elem (i32.const 0) $vadd)
              (func (export "lane_sum") (param i32) (result i32)
                (i32x4.extract_lane 1 (i32x4.add (i32x4.splat (local.get 0)) (global.get 0))))
              (func $vadd (export "vadd") (param v128 v128) (result v128)
                local.get 0 local.get 1 i32x4.add))
            """;

    static final String SIMD_IMPORTS = """
            (module
              (import "env" "vf" (func (param v128) (result i32)))
              (import "env" "vg" (global v128))
              (func (export "plain") (result i32) i32.const 1))
            """;

    @Test
    void aSimdModuleCompilesListsInstantiatesAndRunsItsOtherFunctions() {
        try (Engine engine = new Engine();
                Store store = new Store(engine);
                Module module = Module.compile(engine, SIMD)) {
            assertThat(module.usesV128()).isTrue();
            assertThat(module.exports())
                    .extracting(ExportType::toString)
                    .containsExactly(
                            "vg: global v128",
                            "tab: table 1.. funcref",
                            "lane_sum: (i32) -> (i32)",
                            "vadd: (v128, v128) -> (v128)");
            try (Instance instance = Instance.create(store, module)) {
                assertThat(instance.func("lane_sum").call(10)).containsExactly(12);
                assertThat(instance.func("lane_sum").asIntUnaryOperator().applyAsInt(1))
                        .isEqualTo(3);
                assertThatThrownBy(() -> instance.func("vadd").call(null, null))
                        .isInstanceOf(WasmArgumentException.class)
                        .hasMessageContaining("vadd")
                        .hasMessageContaining("v128");
                // v128 values go through generated adapters (V128Test): no C API v128 type query on the way
                assertThat(instance.global("vg").get()).isEqualTo(V128.ofI32x4(1, 2, 3, 4));
                assertThatThrownBy(() -> instance.global("vg").nativeType())
                        .isInstanceOf(WasmArgumentException.class)
                        .hasMessageContaining("v128");
                // a funcref read from a table: its type cannot be asked in a store holding v128 code
                Func fromTable = (Func) instance.table("tab").get(0);
                assertThatThrownBy(fromTable::type)
                        .isInstanceOf(WasmerException.class)
                        .hasMessageContaining("v128");
                assertThatThrownBy(() -> fromTable.call()).isInstanceOf(WasmerException.class);
                assertThat(fromTable.paramArity()).isEqualTo(2);
            }
        }
    }

    @Test
    void v128ImportsAreListedAndSatisfiedFromJavaThroughAdapters() {
        try (Engine engine = new Engine();
                Store store = new Store(engine);
                Module module = Module.compile(engine, SIMD_IMPORTS)) {
            assertThat(module.imports())
                    .extracting(ImportType::toString)
                    .containsExactly("env.vf: (v128) -> (i32)", "env.vg: global v128");
            Func vf = Func.host(store, FuncType.of(List.of(ValType.V128), List.of(ValType.I32)), c -> c.result(0, 1));
            assertThat(vf.type()).isEqualTo(module.imports().get(0).type());
            assertThatThrownBy(() -> Global.create(store, new GlobalType(ValType.V128, false), null))
                    .isInstanceOf(WasmArgumentException.class);
            Global vg = Global.create(store, new GlobalType(ValType.V128, false), new V128(0, 0));
            try (Instance i = Instance.create(store, module, vf, vg)) {
                assertThat(i.func("plain").call()).containsExactly(1);
            }
        }
    }

    @Test
    void serializedSimdModulesKeepTheirInterface() {
        ArtifactKey key = ArtifactKey.random();
        try (Engine engine = new Engine();
                Module module = Module.compile(engine, SIMD);
                Module back = Module.deserialize(engine, module.serialize(key), key, module.identity());
                Store store = new Store(engine);
                Instance instance = Instance.create(store, back)) {
            assertThat(back.exports()).isEqualTo(module.exports());
            assertThat(instance.func("lane_sum").call(10)).containsExactly(12);
        }
    }
}
