package dev.wasmerffm;

/** A store has made as many instances as it may (see {@link Store#maxInstances(int)}): a store keeps every instance's memory until it closes. */
public final class StoreLimitException extends WasmerException {

    StoreLimitException(String message) {
        super(message);
    }
}
