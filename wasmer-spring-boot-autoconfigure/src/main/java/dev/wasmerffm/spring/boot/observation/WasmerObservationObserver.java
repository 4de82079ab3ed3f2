package dev.wasmerffm.spring.boot.observation;

import dev.wasmerffm.pool.WasmerObserver;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;

/**
 * An Observation {@code wasmer.call} per pooled call, for traces (and, through Boot's handlers, a {@code wasmer.call}
 * timer and {@code wasmer.call.active} long-task timer). Low-cardinality keys only, from registered names:
 * {@code wasmer.module}, {@code wasmer.function}, {@code outcome} (success, trap, error); a failure is the
 * observation's error. {@code management.observations.enable.wasmer=false} turns it off.
 */
public class WasmerObservationObserver implements WasmerObserver {

    private final ObservationRegistry registry;

    public WasmerObservationObserver(ObservationRegistry registry) {
        this.registry = registry;
    }

    @Override
    public CallScope callStarted(String module, String function) {
        Observation observation = Observation.createNotStarted("wasmer.call", registry)
                .contextualName("wasmer " + module + "." + function)
                .lowCardinalityKeyValue("wasmer.module", module)
                .lowCardinalityKeyValue("wasmer.function", function)
                .start();
        return (nanos, failure) -> {
            if (failure != null) {
                observation.error(failure);
            }
            observation
                    .lowCardinalityKeyValue("outcome", Outcome.of(failure).tag())
                    .stop();
        };
    }
}
