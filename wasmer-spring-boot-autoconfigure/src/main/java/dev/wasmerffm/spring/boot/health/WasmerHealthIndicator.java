package dev.wasmerffm.spring.boot.health;

import dev.wasmerffm.Engine;
import dev.wasmerffm.Wasmer;
import dev.wasmerffm.WasmerLibrary;
import dev.wasmerffm.pool.WasmModules;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

/**
 * Up while the engine is open, with libwasmer's version, library and backend and the modules registered. It reads
 * state only: modules were compiled at startup, so a probe compiles and instantiates nothing.
 */
public class WasmerHealthIndicator extends AbstractHealthIndicator {

    private final Engine engine;
    private final WasmModules modules;

    public WasmerHealthIndicator(Engine engine, WasmModules modules) {
        super("Wasmer health check failed");
        this.engine = engine;
        this.modules = modules;
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) {
        (engine.isClosed() ? builder.down() : builder.up())
                .withDetail("version", Wasmer.version().full())
                .withDetail("library", WasmerLibrary.load().toString())
                .withDetail("backend", engine.config().backend().toString())
                .withDetail("modules", modules.all().size());
    }
}
