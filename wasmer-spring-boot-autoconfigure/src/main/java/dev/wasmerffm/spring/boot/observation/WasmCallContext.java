package dev.wasmerffm.spring.boot.observation;

import dev.wasmerffm.pool.WasmerObserver;
import dev.wasmerffm.pool.WasmerObserver.Outcome;
import io.micrometer.observation.Observation;
import org.jspecify.annotations.Nullable;

/**
 * The context of a {@code wasmer.call} observation: one call through the instance pool (a pooled call, a
 * {@code @WasmModule} interface's call), what it called and, once stopped, how it ended and the points it used.
 */
public class WasmCallContext extends Observation.Context {

    private final String module;
    private final String function;
    private @Nullable Outcome outcome;
    private long points = -1;

    /**
     * @param module a registered module, or {@link WasmerObserver#UNKNOWN}
     * @param function a function the module exports, or {@link WasmerObserver#UNKNOWN}
     */
    public WasmCallContext(String module, String function) {
        this.module = module;
        this.function = function;
    }

    /** The registered module called, or {@link WasmerObserver#UNKNOWN}: never a caller's arbitrary input. */
    public String getModule() {
        return module;
    }

    /** The exported function called, or {@link WasmerObserver#UNKNOWN}: never a caller's arbitrary input. */
    public String getFunction() {
        return function;
    }

    /** How the call ended; null while it runs. */
    public @Nullable Outcome getOutcome() {
        return outcome;
    }

    /** The metering points the call used, or -1 if unknown (unmetered, or set while it runs). */
    public long getPoints() {
        return points;
    }

    void ended(Outcome outcome, long points) {
        this.outcome = outcome;
        this.points = points;
    }
}
