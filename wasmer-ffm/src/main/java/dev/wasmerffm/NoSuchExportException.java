package dev.wasmerffm;

/** An instance has no export of that name, or it is of another kind. */
public final class NoSuchExportException extends WasmerException {

    /** Creates the exception; the message names the export and what exists. */
    public NoSuchExportException(String message) {
        super(message);
    }
}
