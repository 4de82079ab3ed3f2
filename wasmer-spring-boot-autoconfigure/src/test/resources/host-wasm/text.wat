;; A plugin following @WasmModule's byte convention (alloc/dealloc/memory, bytes in as ptr+len, out as ptr<<32|len)
;; that imports two host functions from beans.
(module
  (import "env" "twice" (func $twice (param i32) (result i32)))
  (import "env" "log" (func $log (param i32 i32)))
  (memory (export "memory") 1)
  (global $top (mut i32) (i32.const 1024))
  ;; a stack allocator: callers free last-allocated first
  (func $alloc (export "alloc") (param $n i32) (result i32)
    (local $p i32)
    global.get $top local.set $p
    global.get $top local.get $n i32.add global.set $top
    local.get $p)
  (func (export "dealloc") (param $p i32) (param $n i32)
    local.get $p local.get $n i32.add global.get $top i32.eq
    if local.get $p global.set $top end)
  (func (export "depth") (result i32) global.get $top)
  (func (export "quadruple") (param i32) (result i32)
    local.get 0 call $twice call $twice)
  ;; logs the text through the host, then returns it with ASCII letters upper-cased
  (func (export "shout") (param $p i32) (param $n i32) (result i64)
    (local $out i32) (local $i i32) (local $c i32)
    local.get $p local.get $n call $log
    local.get $n call $alloc local.set $out
    block $done
      loop $next
        local.get $i local.get $n i32.ge_u br_if $done
        local.get $p local.get $i i32.add i32.load8_u local.set $c
        local.get $c i32.const 97 i32.ge_u local.get $c i32.const 122 i32.le_u i32.and
        if local.get $c i32.const 32 i32.sub local.set $c end
        local.get $out local.get $i i32.add local.get $c i32.store8
        local.get $i i32.const 1 i32.add local.set $i
        br $next
      end
    end
    local.get $out i64.extend_i32_u i64.const 32 i64.shl local.get $n i64.extend_i32_u i64.or)
  ;; a result outside memory: ptr 0x7fff0000, len 16
  (func (export "broken") (param i32 i32) (result i64) i64.const 0x7fff000000000010))
