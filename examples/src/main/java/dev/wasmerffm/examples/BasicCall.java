package dev.wasmerffm.examples;

import dev.wasmerffm.*;
// With the wildcard, name Module once more: a single-type import wins over java.lang.Module.
import dev.wasmerffm.Module;
import java.util.function.IntBinaryOperator;

/** Load a module and call a function: the typed way (no allocation per call) and the boxed way. */
public final class BasicCall {

    private BasicCall() {}

    /** Prints {@code add(40, 2) = 42} twice. */
    public static void main(String[] args) {
        try (Engine engine = new Engine();
                Module module = Module.compile(engine, """
                        (module (func (export "add") (param i32 i32) (result i32)
                          local.get 0 local.get 1 i32.add))""");
                Store store = new Store(engine);
                Instance instance = Instance.create(store, module)) {
            IntBinaryOperator add = instance.func("add").asIntBinaryOperator();
            System.out.println("add(40, 2) = " + add.applyAsInt(40, 2));
            System.out.println("add(40, 2) = " + instance.func("add").call(40, 2)[0]);
        }
    }
}
