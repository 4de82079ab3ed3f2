package dev.wasmerffm;

/**
 * A function written in Java that wasm calls as an import. Whatever it throws becomes a wasm trap, and the
 * original throwable comes back as the cause of the {@link TrapException} thrown where Java entered wasm.
 */
@FunctionalInterface
public interface HostFunction {

    /** Reads the arguments from {@code call} and sets its results. */
    void call(HostCall call) throws Exception;
}
