package dev.wasmerffm.pool;

/**
 * A call asked a closed {@link WasmInstancePool} for an instance: the application is shutting down (or closed the
 * pool), so no new call starts. An {@link IllegalStateException}, as every use after close is.
 */
public final class PoolClosedException extends IllegalStateException {

    private final String module;

    /** A call of {@code module} asked after the pool closed. */
    public PoolClosedException(String module) {
        super("instance pool is closed: no call of module '" + module + "' starts");
        this.module = module;
    }

    /** The module asked for. */
    public String module() {
        return module;
    }
}
