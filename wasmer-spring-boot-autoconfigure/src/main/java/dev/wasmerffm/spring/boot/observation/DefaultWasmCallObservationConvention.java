package dev.wasmerffm.spring.boot.observation;

import dev.wasmerffm.pool.WasmerObserver.Outcome;
import io.micrometer.common.KeyValue;
import io.micrometer.common.KeyValues;

/**
 * {@code wasmer.call} with low-cardinality keys {@code wasmer.module}, {@code wasmer.function} (registered names
 * only) and {@code outcome} (success, trap, error), and high-cardinality key {@code wasmer.points} (points used, when
 * the module is metered). The meter handler adds {@code error} (the exception's class, or none).
 */
public class DefaultWasmCallObservationConvention implements WasmCallObservationConvention {

    /** The observation's and its timer's name. */
    public static final String NAME = "wasmer.call";

    @Override
    public String getName() {
        return NAME;
    }

    @Override
    public String getContextualName(WasmCallContext context) {
        return "wasmer " + context.getModule() + "." + context.getFunction();
    }

    @Override
    public KeyValues getLowCardinalityKeyValues(WasmCallContext context) {
        KeyValues names = KeyValues.of(
                KeyValue.of("wasmer.module", context.getModule()),
                KeyValue.of("wasmer.function", context.getFunction()));
        Outcome outcome = context.getOutcome();
        // asked at the start too, where the long-task timer wasmer.call.active takes its tags: no outcome yet
        return outcome == null ? names : names.and("outcome", outcome.tag());
    }

    @Override
    public KeyValues getHighCardinalityKeyValues(WasmCallContext context) {
        return context.getPoints() < 0
                ? KeyValues.empty()
                : KeyValues.of(KeyValue.of("wasmer.points", Long.toString(context.getPoints())));
    }
}
