package dev.wasmerffm;

/** A call, global or table got a value of the wrong type, or the wrong number of arguments; nothing ran. */
public final class WasmArgumentException extends WasmerException {

    /** Creates the exception; the message names the function or extern, the position and both types. */
    public WasmArgumentException(String message) {
        super(message);
    }
}
