;; Two imports whose names joined with a dot are the same string: a.b + c and a + b.c.
(module
  (import "a.b" "c" (func $x (result i32)))
  (import "a" "b.c" (func $y (result i32)))
  (func (export "x") (result i32) call $x)
  (func (export "y") (result i32) call $y))
