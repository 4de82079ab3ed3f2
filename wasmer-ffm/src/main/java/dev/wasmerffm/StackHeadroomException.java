package dev.wasmerffm;

/** The calling thread has too little stack left to enter wasm safely: a host function called from there could overflow the stack in frames where the JVM cannot survive it. */
public final class StackHeadroomException extends WasmerException {

    StackHeadroomException(String message) {
        super(message);
    }
}
