package dev.wasmerffm;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * A native object many threads may use at once (engines, modules): uses hold a read lock, the free takes the write
 * lock, so no thread ever passes a freed pointer to libwasmer.
 */
final class SharedResource {

    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private final NativeResource resource;

    SharedResource(Object owner, String what, MemorySegment address, Consumer<MemorySegment> deleter) {
        this.resource = new NativeResource(owner, what, address, lock.writeLock(), deleter);
    }

    /** Runs a native operation with the pointer, which stays valid until it returns. */
    <T> T use(Function<MemorySegment, T> operation) {
        lock.readLock().lock();
        try {
            return operation.apply(resource.address());
        } finally {
            lock.readLock().unlock();
        }
    }

    boolean isClosed() {
        return resource.isClosed();
    }

    void close() {
        resource.close();
    }
}
