;; What a pooled WASI instance was given: argc (with the program name), the number of environment variables, and
;; whether descriptor 3 (the first directory) is a preopen (errno 0) or not (8, BADF).
(module
  (import "wasi_snapshot_preview1" "args_sizes_get" (func $args (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "environ_sizes_get" (func $env (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_prestat_get" (func $prestat (param i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "argc") (result i32) (drop (call $args (i32.const 0) (i32.const 4))) (i32.load (i32.const 0)))
  (func (export "envc") (result i32) (drop (call $env (i32.const 0) (i32.const 4))) (i32.load (i32.const 0)))
  (func (export "firstdir") (result i32) (call $prestat (i32.const 3) (i32.const 8))))
