package dev.wasmerffm.pool;

import java.time.Duration;

/** Every instance of a module stayed lent for the whole borrow timeout. */
public final class PoolExhaustedException extends WasmModuleException {

    private final Duration waited;
    private final int poolSize;

    /** No instance of {@code module} was free within {@code waited}; it has {@code poolSize} at most. */
    public PoolExhaustedException(String module, Duration waited, int poolSize) {
        super(
                module,
                "no instance of module '" + module + "' free within " + waited.toMillis() + " ms (pool size " + poolSize
                        + ", all in use)",
                "Raise wasmer.pool.size or wasmer.modules.settings." + module + ".pool-size, or"
                        + " wasmer.pool.borrow-timeout, or shorten the calls (a call-timeout bounds them).",
                null);
        this.waited = waited;
        this.poolSize = poolSize;
    }

    /** How long the caller waited. */
    public Duration waited() {
        return waited;
    }

    /** The module's pool size. */
    public int poolSize() {
        return poolSize;
    }
}
