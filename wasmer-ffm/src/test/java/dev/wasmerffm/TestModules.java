package dev.wasmerffm;

/** Modules shared by several tests. */
public final class TestModules {

    private TestModules() {}

    /** {@code add(i32, i32) -> i32}. */
    public static final String ADD = """
            (module
              (func (export "add") (param i32 i32) (result i32)
                local.get 0 local.get 1 i32.add))
            """;

    /** One export per trap kind, plus {@code ok} (returns 7) and {@code inc} (adds one). */
    public static final String TRAPS = """
            (module $traps
              (type $t (func (result i32)))
              (table 2 funcref)
              (elem (i32.const 0) $one)
              (memory 1)
              (func $one (param i32) (result i32) local.get 0)
              (func $unreachable (export "unreachable") (result i32) unreachable)
              (func (export "oob") (result i32) i32.const 70000 i32.load)
              (func (export "div0") (result i32) i32.const 1 i32.const 0 i32.div_s)
              (func (export "overflow") (result i32) i32.const 0x80000000 i32.const -1 i32.div_s)
              (func (export "conversion") (result i32) f32.const nan i32.trunc_f32_s)
              (func (export "bad_sig") (result i32) i32.const 0 call_indirect (type $t))
              (func (export "undefined") (result i32) i32.const 1 call_indirect (type $t))
              (func (export "table_oob") (result i32) i32.const 5 call_indirect (type $t))
              (func $rec (export "stack") (result i32) call $rec i32.const 1 i32.add)
              (func (export "ok") (result i32) i32.const 7)
              (func (export "inc") (param i32) (result i32) local.get 0 i32.const 1 i32.add))
            """;
}
