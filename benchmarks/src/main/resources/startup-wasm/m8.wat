(module
  (memory (export "memory") 1)
  (func (export "f8") (param i32) (result i32) local.get 0 i32.const 8 i32.add)
  (func (export "g8") (param i64 i64) (result i64) local.get 0 local.get 1 i64.mul i64.const 8 i64.add))
