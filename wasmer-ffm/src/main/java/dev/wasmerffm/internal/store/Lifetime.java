package dev.wasmerffm.internal.store;

/**
 * Whether the owner of some views (an instance's exports, a WASI environment's imports) was closed; its store may
 * still be open. The owner keeps it private and closes it; the views only read it.
 */
public final class Lifetime {

    private volatile boolean closed;

    /** Marks the owner closed: its views refuse from now on. */
    public void close() {
        closed = true;
    }

    /** Whether the owner was closed. */
    public boolean isClosed() {
        return closed;
    }
}
