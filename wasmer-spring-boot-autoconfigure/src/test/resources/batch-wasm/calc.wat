;; Exports of numbers, for @WasmModule methods that batch them.
(module
  (global $total (mut i64) (i64.const 0))
  (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add)
  ;; traps on a zero divisor
  (func (export "div") (param i32 i32) (result i32) local.get 0 local.get 1 i32.div_s)
  (func (export "scale") (param f64 i64) (result f64) local.get 0 local.get 1 f64.convert_i64_s f64.mul)
  ;; no result: adds to a total the instance keeps
  (func (export "accumulate") (param i64) global.get $total local.get 0 i64.add global.set $total)
  (func (export "total") (result i64) global.get $total)
  (func (export "divmod") (param i32 i32) (result i32 i32)
    local.get 0 local.get 1 i32.div_s local.get 0 local.get 1 i32.rem_s))
