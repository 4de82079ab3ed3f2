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
import org.jspecify.annotations.Nullable;

/**
 * Records {@code wasmer.module.load{module}}, {@code wasmer.instantiations{module}} and
 * {@code wasmer.calls{module,function,outcome}} timers, and {@code wasmer.traps{module,kind}} counters. Tags are
 * bounded: registered module names, their export names (the pool passes anything else as
 * {@link WasmerObserver#UNKNOWN}), and trap kinds.
 */
public class WasmerMeterObserver implements WasmerObserver {

    private final MeterRegistry registry;
    /** Call timers by module and function, then by outcome (success, trap, error): found per call without allocating. */
    private final Map<String, Map<String, FunctionTimers>> calls = new ConcurrentHashMap<>();

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

    /** The scope of a module's function: its timers, registered on first use, so a call allocates nothing. */
    @Override
    public CallScope callStarted(String module, String function) {
        return calls.computeIfAbsent(module, m -> new ConcurrentHashMap<>())
                .computeIfAbsent(function, f -> new FunctionTimers(module, function));
    }

    private final class FunctionTimers implements CallScope {
        private final String module;
        private final String function;
        private final @Nullable Timer[] timers = new Timer[Outcome.values().length];

        FunctionTimers(String module, String function) {
            this.module = module;
            this.function = function;
        }

        @Override
        public void ended(long nanos, @Nullable Throwable failure) {
            Outcome outcome = Outcome.of(failure);
            Timer timer = timers[outcome.ordinal()];
            if (timer == null) { // a race registers the same meter twice, which Micrometer answers with one
                timer = Timer.builder("wasmer.calls")
                        .description("Calls through the instance pool")
                        .tags("module", module, "function", function, "outcome", outcome.tag())
                        .register(registry);
                timers[outcome.ordinal()] = timer;
            }
            timer.record(nanos, TimeUnit.NANOSECONDS);
            if (failure instanceof TrapException t) {
                Counter.builder("wasmer.traps")
                        .description("Pooled calls stopped by a trap, by kind")
                        .tags("module", module, "kind", t.kind().name().toLowerCase(Locale.ROOT))
                        .register(registry)
                        .increment();
            }
        }
    }
}
