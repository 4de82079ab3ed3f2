package dev.wasmerffm.examples;

import dev.wasmerffm.Engine;
import dev.wasmerffm.Func;
import dev.wasmerffm.FuncType;
import dev.wasmerffm.Imports;
import dev.wasmerffm.Instance;
import dev.wasmerffm.Module;
import dev.wasmerffm.Store;
import dev.wasmerffm.TrapException;
import dev.wasmerffm.ValType;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** Java functions as imports: wasm logs a string from its memory; a Java exception comes back as the cause. */
public final class HostFunctions {

    private HostFunctions() {}

    /** Prints the logged line, then the cause of a trap raised by a throwing host function. */
    public static void main(String[] args) {
        String wat = """
                (module
                  (import "env" "log" (func $log (param i32 i32)))
                  (import "env" "fail" (func $fail))
                  (memory (export "memory") 1)
                  (data (i32.const 0) "hello from wasm")
                  (func (export "run") i32.const 0 i32.const 15 call $log)
                  (func (export "boom") call $fail))""";
        try (Engine engine = new Engine();
                Module module = Module.compile(engine, wat);
                Store store = new Store(engine)) {
            Func log = Func.host(
                    store,
                    FuncType.of(List.of(ValType.I32, ValType.I32), List.of()),
                    call -> System.out.println("wasm says: "
                            + new String(call.memory().read(call.i32(0), call.i32(1)), StandardCharsets.UTF_8)));
            Func fail = Func.host(store, FuncType.of(List.of(), List.of()), call -> {
                throw new IllegalStateException("refused by Java");
            });
            try (Instance instance = Instance.create(
                    store, module, new Imports().define("env", "log", log).define("env", "fail", fail))) {
                instance.func("run").call();
                try {
                    instance.func("boom").call();
                } catch (TrapException e) {
                    System.out.println("trap caused by: " + e.getCause().getMessage());
                }
            }
        }
    }
}
