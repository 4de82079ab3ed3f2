package dev.wasmerffm.internal.wasm;

/**
 * Bytes that are not the WebAssembly this package can read, with the offset in the message. The API turns it into
 * its {@code CompileException} (this package knows no API type).
 */
public final class MalformedWasmException extends RuntimeException {

    public MalformedWasmException(String message) {
        super(message, null, false, false);
    }
}
