(module
  (memory (export "memory") 1)
  (func (export "f4") (param i32) (result i32) local.get 0 i32.const 4 i32.add)
  (func (export "g4") (param i64 i64) (result i64) local.get 0 local.get 1 i64.mul i64.const 4 i64.add))
