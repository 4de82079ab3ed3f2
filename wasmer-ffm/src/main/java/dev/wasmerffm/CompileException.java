package dev.wasmerffm;

/** A module is malformed, invalid, needs a disabled feature, or is WAT with a syntax error. */
public class CompileException extends WasmerException {

    /** Creates the exception. */
    public CompileException(String message) {
        super(message);
    }

    /** Creates the exception with a cause. */
    public CompileException(String message, Throwable cause) {
        super(message, cause);
    }
}
