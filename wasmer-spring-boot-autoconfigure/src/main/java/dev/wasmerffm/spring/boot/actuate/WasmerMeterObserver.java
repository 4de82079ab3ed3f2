package dev.wasmerffm.spring.boot.actuate;

import dev.wasmerffm.TrapException;
import dev.wasmerffm.spring.boot.modules.WasmerObserver;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Records {@code wasmer.module.load{module}}, {@code wasmer.instantiate{module}} and
 * {@code wasmer.calls{module,function,outcome}} timers, and {@code wasmer.traps{module,kind}} counters. Tags are
 * bounded: registered module names, their export names, and trap kinds.
 */
public class WasmerMeterObserver implements WasmerObserver {

    private final MeterRegistry registry;
    private final Map<String, Timer> calls = new ConcurrentHashMap<>();

    public WasmerMeterObserver(MeterRegistry registry) {
        this.registry = registry;
    }

    @Override
    public void moduleLoaded(String module, long nanos) {
        Timer.builder("wasmer.module.load").description("Loading a module: compile or cache load").tag("module", module)
                .register(registry).record(nanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void instantiated(String module, long nanos) {
        Timer.builder("wasmer.instantiate").description("Making a pooled instance").tag("module", module)
                .register(registry).record(nanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void called(String module, String function, long nanos, Throwable failure) {
        String outcome = failure == null ? "success" : failure instanceof TrapException ? "trap" : "error";
        calls.computeIfAbsent(module + '\0' + function + '\0' + outcome, k -> Timer.builder("wasmer.calls")
                .description("Calls through the instance pool").tags("module", module, "function", function,
                        "outcome", outcome).register(registry)).record(nanos, TimeUnit.NANOSECONDS);
        if (failure instanceof TrapException t) {
            registry.counter("wasmer.traps", "module", module, "kind", t.kind().name().toLowerCase(Locale.ROOT))
                    .increment();
        }
    }
}
