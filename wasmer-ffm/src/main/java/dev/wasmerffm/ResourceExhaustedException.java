package dev.wasmerffm;

/**
 * The process is short of something a new native object needs and the binding refused before libwasmer could fail
 * or abort: address space for an instance's memory (libwasmer reserves 8 GiB for each until its store is freed), or
 * file descriptors for a WASI environment. The message names the resource, what is in use and the limit.
 */
public final class ResourceExhaustedException extends WasmerException {

    /** Creates the exception; the message names the resource and the limit. */
    public ResourceExhaustedException(String message) {
        super(message);
    }
}
