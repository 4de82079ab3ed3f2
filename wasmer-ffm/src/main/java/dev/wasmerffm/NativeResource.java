package dev.wasmerffm;

import java.lang.foreign.MemorySegment;
import java.lang.ref.Cleaner;
import java.util.concurrent.locks.Lock;
import java.util.function.Consumer;

/**
 * One native pointer that a Java object owns: freed once, by {@link #close()} or, if the owner is forgotten, by a
 * {@link Cleaner}. The free runs under the owning store's lock: libwasmer stores are single-threaded, and even a
 * delete touches the store's non-atomic reference counts.
 */
final class NativeResource {

    static final Cleaner CLEANER = Cleaner.create();
    /** Native objects made and not yet freed, for leak checks. */
    static final java.util.concurrent.atomic.AtomicLong LIVE = new java.util.concurrent.atomic.AtomicLong();

    private final String what;
    private final MemorySegment address;
    private final Cleaner.Cleanable cleanable;
    private volatile boolean closed;

    NativeResource(Object owner, String what, MemorySegment address, Lock lock, Consumer<MemorySegment> deleter) {
        if (address.equals(MemorySegment.NULL)) {
            throw new IllegalArgumentException("NULL " + what);
        }
        this.what = what;
        this.address = address;
        this.cleanable = CLEANER.register(owner, new Free(address, lock, deleter));
        LIVE.incrementAndGet();
    }

    /** The pointer; {@link IllegalStateException} once closed, so no closed handle ever reaches native code. */
    MemorySegment address() {
        if (closed) {
            throw new IllegalStateException(what + " is closed");
        }
        return address;
    }

    boolean isClosed() {
        return closed;
    }

    /** Frees the pointer; a second call does nothing. */
    void close() {
        closed = true;
        cleanable.clean();
    }

    String what() {
        return what;
    }

    /** Must not reference the owner, or the owner never becomes unreachable. */
    private record Free(MemorySegment address, Lock lock, Consumer<MemorySegment> deleter) implements Runnable {
        @Override
        public void run() {
            if (lock != null) {
                lock.lock();
            }
            try {
                LIVE.decrementAndGet();
                deleter.accept(address);
            } catch (Throwable ignored) {
                // A Cleaner thread must never die from a failed free; nothing else can be done here.
            } finally {
                if (lock != null) {
                    lock.unlock();
                }
            }
        }
    }
}
