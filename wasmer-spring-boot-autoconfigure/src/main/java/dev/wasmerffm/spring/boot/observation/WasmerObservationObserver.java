package dev.wasmerffm.spring.boot.observation;

import dev.wasmerffm.pool.WasmerObserver;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import org.jspecify.annotations.Nullable;

/**
 * An Observation per call through the instance pool, named and tagged by a {@link WasmCallObservationConvention}
 * ({@link DefaultWasmCallObservationConvention}: {@code wasmer.call}); Micrometer's meter handler derives the call
 * timer from it, a tracing handler a span. The observation is in scope while the call runs, on the calling thread
 * and on the platform thread that runs a virtual thread's wasm, so host functions, their logs and child
 * observations belong to it. {@code management.observations.enable.wasmer=false} turns it off, timer and all.
 */
public class WasmerObservationObserver implements WasmerObserver {

    private static final WasmCallObservationConvention DEFAULT = new DefaultWasmCallObservationConvention();

    private final ObservationRegistry registry;
    private final @Nullable WasmCallObservationConvention convention;

    /** {@code convention}: the application's, or null for the default. */
    public WasmerObservationObserver(ObservationRegistry registry, @Nullable WasmCallObservationConvention convention) {
        this.registry = registry;
        this.convention = convention;
    }

    @Override
    public CallScope callStarted(String module, String function) {
        WasmCallContext context = new WasmCallContext(module, function);
        Observation observation = Observation.createNotStarted(convention, DEFAULT, () -> context, registry)
                .start();
        Observation.Scope scope = observation.openScope();
        return (nanos, points, failure) -> {
            scope.close();
            context.ended(Outcome.of(failure), points);
            if (failure != null) {
                observation.error(failure);
            }
            observation.stop();
        };
    }

    /** The calling thread's current observation (this call's, unless turned off) in scope on the running thread. */
    @Override
    public Runnable handOff(Runnable call) {
        Observation current = registry.getCurrentObservation();
        if (current == null) {
            return call;
        }
        return () -> {
            try (Observation.Scope scope = current.openScope()) {
                call.run();
            }
        };
    }
}
