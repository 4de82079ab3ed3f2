package dev.wasmerffm.extism;

import dev.wasmerffm.Engine;
import dev.wasmerffm.ExportType;
import dev.wasmerffm.FuncType;
import dev.wasmerffm.Module;
import dev.wasmerffm.ValType;
import dev.wasmerffm.WasmerException;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;

/**
 * Extism's kernel ({@code extism-runtime.wasm} of the {@code extism} crate, in this jar with its licence) and the
 * driver this package generates for each plugin. The driver imports the kernel's functions and the guest's entry
 * points, so a call crosses from Java into wasm twice: {@code begin(len)} resets the kernel, allocates the input and
 * marks it as input (Java then copies the input into the kernel's memory), and {@code run(entry)} calls the guest's
 * function through a table, then writes the output and error positions into the driver's own memory
 * ({@code status}: output offset, output length, error offset, error length, as i64 at 0, 8, 16, 24), where Java
 * reads them without another crossing. It also exports {@code length}, {@code alloc} and {@code free} as
 * {@code (i64) -> i64}, the one shape Java calls without boxing. Its {@code alloc} is the accessors' (see
 * {@link #accessors}), so that they learn of the kernel's memory growing.
 */
final class Kernel {

    /** The namespace of the kernel's and the host's functions. */
    static final String ENV = "extism:host/env";
    /** The namespace of user host functions. */
    static final String USER = "extism:host/user";

    private static final String RESOURCE = "/META-INF/wasmer-ffm/extism/extism-runtime.wasm";
    private static final FuncType RETURNS_CODE = FuncType.of(List.of(), List.of(ValType.I32));
    private static final FuncType RETURNS_NOTHING = FuncType.of(List.of(), List.of());

    private Kernel() {}

    /** The kernel's bytes, from this jar. */
    static byte[] bytes() {
        try (InputStream in = Kernel.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new WasmerException("Extism's kernel " + RESOURCE + " is missing from the wasmer-ffm jar");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new WasmerException("cannot read Extism's kernel " + RESOURCE, e);
        }
    }

    /** Whether an export is a function Extism can call: no parameters, an i32 return code or nothing. */
    static boolean isEntry(ExportType e) {
        return e.type() instanceof FuncType t && (t.equals(RETURNS_CODE) || t.equals(RETURNS_NOTHING));
    }

    /** The kernel functions a guest calls per byte or word, which {@link #accessors} implements faster. */
    static final List<String> ACCESSORS =
            List.of("alloc", "load_u8", "load_u64", "store_u8", "store_u64", "input_load_u8", "input_load_u64");

    /**
     * A module giving the guest the kernel functions it calls per byte or word, on the kernel's memory (imported)
     * with the kernel's own bounds: the kernel's versions check its allocator root and ask the memory's size on
     * every call, which in libwasmer is a call out of the compiled code (measured: 33 to 60 ns a call against 4 to
     * 12 ns for a plain call between instances, under load), and plugins read their input and write their output
     * through them a word at a time. The memory's end is kept in a global, set when instantiated and after every
     * {@code alloc} (which this module wraps: only the kernel's {@code alloc} grows its memory). The input's
     * position is read where the kernel keeps it, in its root at address 1 ({@code input_offset} at 33,
     * {@code input_length} at 41; {@code #[repr(C)] MemoryRoot} of the pinned kernel's {@code lib.rs}). Out of
     * bounds, loads give 0 and stores do nothing, as the kernel's do.
     */
    static Module accessors(Engine engine) {
        String wat = """
                (module
                  (import "k" "memory" (memory 0))
                  (import "k" "alloc" (func $alloc (param i64) (result i64)))
                  (global $end (mut i64) (i64.const 0))
                  (func $grown (global.set $end (i64.shl (i64.extend_i32_u (memory.size)) (i64.const 16))))
                  (start $grown)
                  ;; as the kernel's pointer_in_bounds_fast of the last byte (at or after its 64-byte root), but
                  ;; within the memory for every byte (the kernel lets the first bytes past the end trap)
                  (func $in (param $p i64) (param $n i64) (result i32)
                    (i32.and (i64.ge_u (i64.add (local.get $p) (i64.sub (local.get $n) (i64.const 1))) (i64.const 64))
                             (i64.le_u (local.get $p) (i64.sub (global.get $end) (local.get $n)))))
                  (func (export "alloc") (param i64) (result i64) (local $p i64)
                    (local.set $p (call $alloc (local.get 0)))
                    (call $grown)
                    (local.get $p))
                  (func (export "load_u8") (param $p i64) (result i32)
                    (if (result i32) (call $in (local.get $p) (i64.const 1))
                      (then (i32.load8_u (i32.wrap_i64 (local.get $p)))) (else (i32.const 0))))
                  (func (export "load_u64") (param $p i64) (result i64)
                    (if (result i64) (call $in (local.get $p) (i64.const 8))
                      (then (i64.load (i32.wrap_i64 (local.get $p)))) (else (i64.const 0))))
                  (func (export "store_u8") (param $p i64) (param $x i32)
                    (if (call $in (local.get $p) (i64.const 1))
                      (then (i32.store8 (i32.wrap_i64 (local.get $p)) (local.get $x)))))
                  (func (export "store_u64") (param $p i64) (param $x i64)
                    (if (call $in (local.get $p) (i64.const 8))
                      (then (i64.store (i32.wrap_i64 (local.get $p)) (local.get $x)))))
                  (func (export "input_load_u8") (param $o i64) (result i32)
                    (if (result i32) (i64.lt_u (local.get $o) (i64.load offset=41 (i32.const 0)))
                      (then (i32.load8_u (i32.wrap_i64
                        (i64.add (i64.load offset=33 (i32.const 0)) (local.get $o)))))
                      (else (i32.const 0))))
                  (func (export "input_load_u64") (param $o i64) (result i64) (local $len i64)
                    (local.set $len (i64.load offset=41 (i32.const 0)))
                    (if (result i64) (i32.and (i64.ge_u (local.get $len) (i64.const 8))
                                              (i64.le_u (local.get $o) (i64.sub (local.get $len) (i64.const 8))))
                      (then (i64.load (i32.wrap_i64 (i64.add (i64.load offset=33 (i32.const 0)) (local.get $o)))))
                      (else (i64.const 0)))))
                """;
        return CompiledPlugin.load(engine, wat.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /** The driver for a guest whose entry points, in table order, are {@code entries}. */
    static Module driver(Engine engine, List<ExportType> entries) {
        StringBuilder w = new StringBuilder("(module (type $entry (func (result i32)))\n");
        w.append("""
                (import "k" "reset" (func $reset))
                (import "k" "alloc" (func $alloc (param i64) (result i64)))
                (import "k" "free" (func $free (param i64)))
                (import "k" "length" (func $length (param i64) (result i64)))
                (import "k" "input_set" (func $input_set (param i64 i64)))
                (import "k" "output_offset" (func $output_offset (result i64)))
                (import "k" "output_length" (func $output_length (result i64)))
                (import "k" "error_get" (func $error_get (result i64)))
                """);
        StringBuilder wrappers = new StringBuilder();
        StringBuilder elems = new StringBuilder();
        for (int i = 0; i < entries.size(); i++) {
            boolean code = ((FuncType) entries.get(i).type()).equals(RETURNS_CODE);
            w.append("(import \"g\" \"")
                    .append(i)
                    .append("\" (func $g")
                    .append(i)
                    .append(code ? " (result i32)))\n" : "))\n");
            wrappers.append("(func $e")
                    .append(i)
                    .append(" (type $entry) call $g")
                    .append(i)
                    .append(code ? ")\n" : " i32.const 0)\n");
            elems.append(" $e").append(i);
        }
        w.append(wrappers);
        w.append("(table funcref (elem").append(elems).append("))\n");
        w.append("""
                (memory (export "status") 1)
                (func (export "begin") (param $n i64) (result i64) (local $p i64)
                  call $reset
                  (if (i64.ne (local.get $n) (i64.const 0)) (then
                    (local.set $p (call $alloc (local.get $n)))
                    (if (i64.ne (local.get $p) (i64.const 0)) (then
                      (call $input_set (local.get $p) (local.get $n))))))
                  local.get $p)
                (func (export "run") (param $f i64) (result i64) (local $rc i32) (local $e i64)
                  (local.set $rc (call_indirect (type $entry) (i32.wrap_i64 (local.get $f))))
                  (i64.store (i32.const 0) (call $output_offset))
                  (i64.store (i32.const 8) (call $output_length))
                  (local.set $e (call $error_get))
                  (i64.store (i32.const 16) (local.get $e))
                  (i64.store (i32.const 24)
                    (if (result i64) (i64.eqz (local.get $e)) (then (i64.const 0)) (else (call $length (local.get $e)))))
                  (i64.extend_i32_s (local.get $rc)))
                (func (export "length") (param i64) (result i64) (call $length (local.get 0)))
                (func (export "alloc") (param i64) (result i64) (call $alloc (local.get 0)))
                (func (export "free") (param i64) (result i64) (call $free (local.get 0)) (i64.const 0)))
                """);
        return CompiledPlugin.load(engine, w.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
}
