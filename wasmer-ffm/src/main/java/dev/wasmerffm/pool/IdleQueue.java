package dev.wasmerffm.pool;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/**
 * The idle instances of one module, for callers on many threads that should not touch what other threads touch: each
 * idle instance sits in a cell of its own cache line, and a thread takes from and gives back to the cell it used last,
 * so a thread that calls again gets its own instance back (warm in its core's cache) with one uncontended CAS. Only
 * when its cell is empty does it look at the others, and only when all are empty does it wait, on a lock that the
 * fast path never takes. (An {@code ArrayBlockingQueue} takes one lock on every borrow and every return: with two
 * threads the pool ran slower than with one.)
 */
final class IdleQueue<T> {

    /** References per cell: 16 × 4 bytes (compressed) or 8 × 8 bytes fill a 64-byte cache line. */
    private static final int STRIDE = 16;

    /**
     * The array index of cell {@code c}. The first line is left empty: it holds the array's header, whose length
     * every access reads for its bounds check; with cell 0 there, the CAS of the thread using cell 0 made every other
     * thread miss that line on each access (poll + offer on two threads: 70-85 ns per thread, 25 ns alone).
     */
    private static int at(int c) {
        return (c + 1) * STRIDE;
    }

    private final int capacity;
    private final AtomicReferenceArray<@Nullable T> cells;
    /** The cell each thread used last. */
    private final ThreadLocal<int[]> home;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition returned = lock.newCondition();
    private volatile int waiting;

    IdleQueue(int capacity) {
        this.capacity = capacity;
        this.cells = new AtomicReferenceArray<>(at(capacity));
        this.home = ThreadLocal.withInitial(
                () -> new int[] {(int) (Thread.currentThread().threadId() % capacity)});
    }

    /** Gives {@code t} back; false if every cell is taken (more offered than the capacity). */
    boolean offer(T t) {
        int[] h = home.get();
        for (int i = 0; i < capacity; i++) {
            int c = (h[0] + i) % capacity;
            if (cells.get(at(c)) == null && cells.compareAndSet(at(c), null, t)) {
                h[0] = c;
                if (waiting > 0) {
                    wakeOne();
                }
                return true;
            }
        }
        return false;
    }

    /** An idle element, this thread's own first; null if none is idle. */
    @Nullable
    T poll() {
        int[] h = home.get();
        for (int i = 0; i < capacity; i++) {
            int c = (h[0] + i) % capacity;
            T t = cells.get(at(c));
            if (t != null && cells.compareAndSet(at(c), t, null)) {
                h[0] = c;
                return t;
            }
        }
        return null;
    }

    /** {@link #poll()}, waiting up to {@code timeout} for one to be given back. */
    @Nullable
    T poll(long timeout, TimeUnit unit) throws InterruptedException {
        T t = poll();
        if (t != null) {
            return t;
        }
        long nanos = unit.toNanos(timeout);
        lock.lockInterruptibly();
        try {
            waiting++;
            try {
                // offer() reads waiting after its CAS: one of the two sees the other
                while ((t = poll()) == null && nanos > 0) {
                    nanos = returned.awaitNanos(nanos);
                }
                return t;
            } finally {
                waiting--;
            }
        } finally {
            lock.unlock();
        }
    }

    private void wakeOne() {
        lock.lock();
        try {
            returned.signal();
        } finally {
            lock.unlock();
        }
    }

    /** How many are idle now. */
    int size() {
        return snapshot().size();
    }

    /** The idle elements now, left in place. */
    List<T> snapshot() {
        List<T> out = new ArrayList<>(capacity);
        for (int c = 0; c < capacity; c++) {
            T t = cells.get(at(c));
            if (t != null) {
                out.add(t);
            }
        }
        return out;
    }
}
