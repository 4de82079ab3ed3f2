package dev.wasmerffm;

/** A store another thread is using could not be entered from a host function in time: waiting longer could deadlock (two threads calling into each other's stores). */
public final class StoreBusyException extends WasmerException {

    StoreBusyException(String message) {
        super(message);
    }
}
