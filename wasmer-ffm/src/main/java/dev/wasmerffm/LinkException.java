package dev.wasmerffm;

/** Instantiation failed because an import is missing or does not match what the module declares. */
public final class LinkException extends WasmerException {

    /** Creates the exception; the message names the import and both types. */
    public LinkException(String message) {
        super(message);
    }
}
