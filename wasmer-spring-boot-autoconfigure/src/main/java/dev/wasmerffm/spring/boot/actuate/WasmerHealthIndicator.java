package dev.wasmerffm.spring.boot.actuate;

import dev.wasmerffm.Engine;
import dev.wasmerffm.Instance;
import dev.wasmerffm.Module;
import dev.wasmerffm.Store;
import dev.wasmerffm.Wasmer;
import dev.wasmerffm.WasmerLibrary;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

/** Up when libwasmer is loaded and a trivial module compiles, instantiates and answers a call. */
public class WasmerHealthIndicator extends AbstractHealthIndicator {

    private static final String PROBE = "(module (func (export \"probe\") (result i32) i32.const 42))";

    private final Engine engine;

    public WasmerHealthIndicator(Engine engine) {
        super("Wasmer health check failed");
        this.engine = engine;
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) {
        try (Module m = Module.compile(engine, PROBE); Store s = new Store(m); Instance in = Instance.create(s, m)) {
            int answer = in.func("probe").asIntSupplier().getAsInt();
            builder.status(answer == 42 ? org.springframework.boot.health.contributor.Status.UP
                    : org.springframework.boot.health.contributor.Status.DOWN)
                    .withDetail("version", Wasmer.version().full()).withDetail("library", WasmerLibrary.load().toString())
                    .withDetail("backend", engine.config().backend().toString());
        }
    }
}
