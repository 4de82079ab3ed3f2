package dev.wasmerffm.spring.boot.observation;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationConvention;

/**
 * Names and tags a {@code wasmer.call} observation. A bean of this type replaces
 * {@link DefaultWasmCallObservationConvention} (extend that to change a part of it); its name and low-cardinality
 * keys are also the name and tags of the timer Micrometer derives from the observation.
 */
public interface WasmCallObservationConvention extends ObservationConvention<WasmCallContext> {

    @Override
    default boolean supportsContext(Observation.Context context) {
        return context instanceof WasmCallContext;
    }
}
