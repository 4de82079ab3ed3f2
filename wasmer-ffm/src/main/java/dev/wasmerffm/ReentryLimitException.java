package dev.wasmerffm;

/** Host functions and wasm calls nest too deep on one thread (wasm calling Java calling wasm ...); refused before the stack runs out. */
public final class ReentryLimitException extends WasmerException {

    ReentryLimitException(String message) {
        super(message);
    }
}
