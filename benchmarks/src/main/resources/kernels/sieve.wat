(module
  (memory (export "memory") 16)
  ;; primes below n (n <= 1 MiB) with a byte sieve in linear memory
  (func (export "run") (param $n i64) (result i64) (local $i i32) (local $j i32) (local $count i64) (local $m i32)
    (local.set $m (i32.wrap_i64 (local.get $n)))
    (memory.fill (i32.const 0) (i32.const 1) (local.get $m))
    (local.set $i (i32.const 2))
    (block (loop
      (br_if 1 (i32.ge_u (local.get $i) (local.get $m)))
      (if (i32.load8_u (local.get $i)) (then
        (local.set $count (i64.add (local.get $count) (i64.const 1)))
        (local.set $j (i32.mul (local.get $i) (local.get $i)))
        (block (loop
          (br_if 1 (i32.ge_u (local.get $j) (local.get $m)))
          (i32.store8 (local.get $j) (i32.const 0))
          (local.set $j (i32.add (local.get $j) (local.get $i)))
          (br 0)))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br 0)))
    local.get $count))
