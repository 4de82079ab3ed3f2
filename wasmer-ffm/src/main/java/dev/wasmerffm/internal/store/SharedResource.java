package dev.wasmerffm.internal.store;

import java.lang.foreign.MemorySegment;
import java.lang.ref.Cleaner;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * A native object many threads may use at once (engines, modules), freed when its owner has closed it (or been
 * collected) and every dependent has released it. Dependents matter: the machine code of a module lives in the
 * engine that compiled it, so an engine must outlive its modules and the stores running them, or calls jump into
 * freed memory. Uses hold a read lock and the free takes the write lock, so no thread ever passes a freed pointer.
 */
public final class SharedResource {

    private final String what;
    private final State state;
    private final Cleaner.Cleanable cleanable;
    private volatile boolean closed;

    /** Must not reference the owner: the Cleaner runs it when the owner is unreachable. */
    public static final class State implements Runnable {
        private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
        private final AtomicInteger refs = new AtomicInteger(1); // the owner's
        private final MemorySegment address;
        private final Consumer<MemorySegment> deleter;
        private boolean freed;

        public State(MemorySegment address, Consumer<MemorySegment> deleter) {
            this.address = address;
            this.deleter = deleter;
            NativeResource.LIVE.incrementAndGet();
        }

        /** Runs a native operation with the pointer, which stays valid until it returns. */
        public <T> T use(Function<MemorySegment, T> operation) {
            lock.readLock().lock();
            try {
                if (freed) {
                    throw new IllegalStateException("native engine is freed");
                }
                return operation.apply(address);
            } finally {
                lock.readLock().unlock();
            }
        }

        /** Adds a dependent; false if already freed. */
        public boolean retain() {
            for (int r = refs.get(); r > 0; r = refs.get()) {
                if (refs.compareAndSet(r, r + 1)) {
                    return true;
                }
            }
            return false;
        }

        /** Drops one reference; the last one frees. */
        public void release() {
            if (refs.decrementAndGet() == 0) {
                lock.writeLock().lock();
                try {
                    freed = true;
                    NativeResource.LIVE.decrementAndGet();
                    deleter.accept(address);
                } catch (Throwable ignored) {
                    // a Cleaner thread must not die of a failed free
                } finally {
                    lock.writeLock().unlock();
                }
            }
        }

        /** The owner's release, run once by close() or by the Cleaner. */
        @Override
        public void run() {
            release();
        }
    }

    public SharedResource(Object owner, String what, MemorySegment address, Consumer<MemorySegment> deleter) {
        if (address.equals(MemorySegment.NULL)) {
            throw new IllegalArgumentException("NULL " + what);
        }
        this.what = what;
        this.state = new State(address, deleter);
        this.cleanable = NativeResource.CLEANER.register(owner, state);
    }

    /** Runs a native operation with the pointer, which stays valid until it returns. */
    public <T> T use(Function<MemorySegment, T> operation) {
        if (closed) {
            throw new IllegalStateException(what + " is closed");
        }
        return useRetained(operation);
    }

    /** Like {@link #use} but also after close, for dependents that hold a reference. */
    public <T> T useRetained(Function<MemorySegment, T> operation) {
        return state.use(operation);
    }

    /** The shared state, to tell one native object from another. */
    public State state() {
        return state;
    }

    /** Registers a dependent, which must call {@link State#release()} once; refused once the owner closed. */
    public State retain() {
        if (closed || !state.retain()) {
            throw new IllegalStateException(what + " is closed");
        }
        return state;
    }

    public boolean isClosed() {
        return closed;
    }

    public void close() {
        closed = true;
        cleanable.clean();
    }
}
