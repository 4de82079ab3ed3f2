package dev.wasmerffm;

/** Base of every exception this binding throws for a problem in wasm code, modules, imports or libwasmer itself. */
public class WasmerException extends RuntimeException {

    /** Creates an exception with a message. */
    public WasmerException(String message) {
        super(message);
    }

    /** Creates an exception with a message and a cause. */
    public WasmerException(String message, Throwable cause) {
        super(message, cause);
    }
}
