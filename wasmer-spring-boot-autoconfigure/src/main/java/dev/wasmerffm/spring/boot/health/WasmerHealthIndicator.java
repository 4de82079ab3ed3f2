package dev.wasmerffm.spring.boot.health;

import dev.wasmerffm.Engine;
import dev.wasmerffm.Wasmer;
import dev.wasmerffm.WasmerLibrary;
import dev.wasmerffm.pool.WasmModules;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

/**
 * Up while the engine is open and every {@code @WasmModule} interface's module is registered, with libwasmer's version, library and backend and the modules registered. It reads
 * state only: modules were compiled at startup, so a probe compiles and instantiates nothing.
 */
public class WasmerHealthIndicator extends AbstractHealthIndicator {

    private final Engine engine;
    private final WasmModules modules;
    private final Supplier<Map<String, String>> interfaces;

    /**
     * @param interfaces each {@code @WasmModule} interface's name and its module's, read at each check (cheap: the
     *     names are known once the context has started)
     */
    public WasmerHealthIndicator(Engine engine, WasmModules modules, Supplier<Map<String, String>> interfaces) {
        super("Wasmer health check failed");
        this.engine = engine;
        this.modules = modules;
        this.interfaces = interfaces;
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) {
        Map<String, String> unbound = new TreeMap<>();
        interfaces.get().forEach((type, module) -> {
            if (!modules.contains(module)) {
                unbound.put(type, "module '" + module + "' is not registered");
            }
        });
        (engine.isClosed() || !unbound.isEmpty() ? builder.down() : builder.up())
                .withDetail("version", Wasmer.version().full())
                .withDetail("library", WasmerLibrary.load().toString())
                .withDetail("backend", engine.config().backend().toString())
                .withDetail("modules", modules.all().size());
        if (!unbound.isEmpty()) {
            builder.withDetail("interfaces", unbound);
        }
    }
}
