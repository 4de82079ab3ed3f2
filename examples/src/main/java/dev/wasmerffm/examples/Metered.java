package dev.wasmerffm.examples;

import dev.wasmerffm.Config;
import dev.wasmerffm.Engine;
import dev.wasmerffm.Instance;
import dev.wasmerffm.Metering;
import dev.wasmerffm.MeteringExhaustedException;
import dev.wasmerffm.Module;
import dev.wasmerffm.Store;

/** Untrusted code with a budget: an endless loop stops; new points let the same instance run again. */
public final class Metered {

    private Metered() {}

    /** Prints the exhaustion, then a result after the points are reset. */
    public static void main(String[] args) {
        Config config = new Config()
                .metering(Metering.of(50_000, op -> op.equals("Call") ? 10 : 1))
                .maxMemory(16 << 20);
        try (Engine engine = new Engine(config);
                Module module = Module.compile(engine, """
                        (module (func (export "spin") (loop br 0))
                                (func (export "answer") (result i32) i32.const 42))""");
                Store store = new Store(module);
                Instance instance = Instance.create(store, module)) {
            try {
                instance.func("spin").call();
            } catch (MeteringExhaustedException e) {
                System.out.println("stopped: points left " + instance.remainingPoints());
            }
            instance.remainingPoints(50_000);
            System.out.println("answer after reset: " + instance.func("answer").call()[0]);
        }
    }
}
