(module
  ;; sum of i*i mod 7 for i in [0, n): an integer loop with a multiply and a remainder
  (func (export "run") (param i64) (result i64) (local $i i64) (local $s i64)
    (block (loop
      (br_if 1 (i64.ge_u (local.get $i) (local.get 0)))
      (local.set $s (i64.add (local.get $s) (i64.rem_u (i64.mul (local.get $i) (local.get $i)) (i64.const 7))))
      (local.set $i (i64.add (local.get $i) (i64.const 1)))
      (br 0)))
    local.get $s))
