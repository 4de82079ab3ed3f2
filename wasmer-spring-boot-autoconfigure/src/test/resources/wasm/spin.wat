(module
  (func (export "spin") (loop br 0))
  (func (export "square") (param i64) (result i64) local.get 0 local.get 0 i64.mul)
  ;; counts down from n: bounded work whose metering cost grows with n
  (func (export "count") (param $n i64)
    (loop $l
      (local.set $n (i64.sub (local.get $n) (i64.const 1)))
      (br_if $l (i64.gt_s (local.get $n) (i64.const 0))))))
