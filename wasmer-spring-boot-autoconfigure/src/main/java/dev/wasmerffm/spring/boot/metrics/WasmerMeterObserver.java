package dev.wasmerffm.spring.boot.metrics;

import dev.wasmerffm.TrapException;
import dev.wasmerffm.pool.WasmerObserver;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Records {@code wasmer.module.load{module}} and {@code wasmer.instantiations{module}} timers, and
 * {@code wasmer.traps{module,kind}} counters. Calls are timed by the {@code wasmer.call} observation's meter
 * ({@link dev.wasmerffm.spring.boot.observation.WasmerObservationObserver}), not here: one timer per call. Tags are
 * bounded: registered module names (the pool passes anything else as {@link WasmerObserver#UNKNOWN}) and trap kinds.
 */
public class WasmerMeterObserver implements WasmerObserver {

    private final MeterRegistry registry;
    /** The trap counting scope of each module: found per call without allocating. */
    private final Map<String, CallScope> calls = new ConcurrentHashMap<>();

    public WasmerMeterObserver(MeterRegistry registry) {
        this.registry = registry;
    }

    @Override
    public void moduleLoaded(String module, long nanos) {
        Timer.builder("wasmer.module.load")
                .description("Loading a module: compile or cache load")
                .tag("module", module)
                .register(registry)
                .record(nanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void instantiated(String module, long nanos) {
        Timer.builder("wasmer.instantiations")
                .description("Pooled instances made")
                .tag("module", module)
                .register(registry)
                .record(nanos, TimeUnit.NANOSECONDS);
    }

    /** Counts the call's trap, if it ends with one. */
    @Override
    public CallScope callStarted(String module, String function) {
        return calls.computeIfAbsent(module, m -> (nanos, points, failure) -> {
            if (failure instanceof TrapException t) {
                Counter.builder("wasmer.traps")
                        .description("Pooled calls stopped by a trap, by kind")
                        .tags("module", m, "kind", t.kind().name().toLowerCase(Locale.ROOT))
                        .register(registry)
                        .increment();
            }
        });
    }
}
