(module
  (func (export "answer") (result i32) i32.const 41))
