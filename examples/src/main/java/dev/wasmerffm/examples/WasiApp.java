package dev.wasmerffm.examples;

import dev.wasmerffm.Engine;
import dev.wasmerffm.Module;
import dev.wasmerffm.Store;
import dev.wasmerffm.wasi.WasiConfig;
import dev.wasmerffm.wasi.WasiEnv;
import dev.wasmerffm.wasi.WasiExit;
import java.nio.charset.StandardCharsets;

/** A WASI command with arguments, environment and stdin given from Java, its output captured. */
public final class WasiApp {

    private WasiApp() {}

    /** Runs a WASI program that writes its argument and stdin to stdout and exits with 3. */
    public static void main(String[] args) {
        String wat = """
                (module
                  (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
                  (import "wasi_snapshot_preview1" "fd_read" (func $read (param i32 i32 i32 i32) (result i32)))
                  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
                  (memory (export "memory") 1)
                  (data (i32.const 100) "got: ")
                  (func (export "_start")
                    ;; iovec at 0: buf 200, len 64; read stdin into it
                    (i32.store (i32.const 0) (i32.const 200)) (i32.store (i32.const 4) (i32.const 64))
                    (drop (call $read (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 8)))
                    ;; write "got: " then what was read
                    (i32.store (i32.const 16) (i32.const 100)) (i32.store (i32.const 20) (i32.const 5))
                    (i32.store (i32.const 24) (i32.const 200)) (i32.store (i32.const 28) (i32.load (i32.const 8)))
                    (drop (call $write (i32.const 1) (i32.const 16) (i32.const 2) (i32.const 32)))
                    (call $exit (i32.const 3))))""";
        try (Engine engine = new Engine();
                Module module = Module.compile(engine, wat);
                Store store = new Store(engine);
                WasiEnv wasi = WasiEnv.create(
                        store, new WasiConfig("demo").stdin("some input".getBytes(StandardCharsets.UTF_8)))) {
            WasiExit exit = wasi.run(module);
            System.out.println("stdout: " + exit.stdoutText());
            System.out.println("exit code: " + exit.exitCode());
        }
    }
}
