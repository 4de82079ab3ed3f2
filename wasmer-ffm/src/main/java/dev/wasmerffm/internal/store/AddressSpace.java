package dev.wasmerffm.internal.store;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Address space as a resource. libwasmer 7.4.2 reserves 8 GiB and 64 KiB of address space for every memory an
 * instance defines or the host creates (static memories), until its store is freed, while the Java heap sees a few
 * hundred bytes of the store. Forgotten stores are freed by the Cleaner, which runs only after a collection, and the
 * heap has no reason to collect: a loop forgetting stores runs the 128 TiB of a 47-bit address space out at about
 * 16 000 memories. So the memories of live stores are counted here, as {@code java.nio.Bits} counts direct buffer
 * memory: a growth of {@link #COLLECT_STEP} since the level last settled asks for a collection and waits while the
 * Cleaner frees what was forgotten, and a reservation past {@link #MAX} waits for the Cleaner after a collection,
 * then is refused.
 */
public final class AddressSpace {

    /** The system property capping the memories reserved at once, across all stores. */
    public static final String MAX_PROPERTY = "wasmer.memories.max";

    /** At most this many memories at once: 96 TiB, which leaves a quarter of the address space to the JVM. */
    public static final int MAX = Math.max(1, Integer.getInteger(MAX_PROPERTY, 12_288));

    /** Growth that asks for a collection: 2 TiB of address space (less under a small {@link #MAX}). */
    public static final int COLLECT_STEP = Math.max(1, Math.min(256, MAX / 4));

    /** How long the Cleaner may be idle before a collection's wait ends. */
    private static final int QUIET_MS = 10;

    private static final AtomicLong RESERVED = new AtomicLong();
    /** Whether a thread is collecting: the others go on. */
    private static final AtomicBoolean COLLECTING = new AtomicBoolean();
    /** The level at which the next reservation asks for a collection; follows the level down as stores are freed. */
    private static volatile long collectAt = COLLECT_STEP;

    private AddressSpace() {}

    /** Memories reserved now. */
    public static long reserved() {
        return RESERVED.get();
    }

    /**
     * Reserves {@code n} memories; null if done, else why not. Past {@link #MAX} it collects and waits up to about
     * half a second for the Cleaner to free forgotten stores, as {@code Bits.reserveMemory} does.
     */
    public static String reserve(int n) {
        if (tryReserve(n)) {
            return null;
        }
        System.gc();
        boolean interrupted = false;
        for (long sleep = 1; sleep <= 256; sleep <<= 1) {
            if (tryReserve(n)) {
                return null;
            }
            try {
                Thread.sleep(sleep);
            } catch (InterruptedException e) {
                interrupted = true;
                break;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        } else if (tryReserve(n)) {
            return null;
        }
        return RESERVED.get() + " instance memories are reserved by open stores and " + n + " more would pass the"
                + " limit of " + MAX + " (-D" + MAX_PROPERTY + "): libwasmer reserves 8 GiB of address space for each"
                + " memory until its store is freed. Close stores when done with them (the Cleaner frees forgotten"
                + " ones only after a collection)";
    }

    private static boolean tryReserve(int n) {
        for (long r = RESERVED.get(); r + n <= MAX; r = RESERVED.get()) {
            if (RESERVED.compareAndSet(r, r + n)) {
                if (r + n >= collectAt && COLLECTING.compareAndSet(false, true)) {
                    try {
                        collect();
                    } finally {
                        COLLECTING.set(false);
                    }
                }
                return true;
            }
        }
        return false;
    }

    /**
     * Asks for a collection and waits while the Cleaner frees the stores it found, until {@value #QUIET_MS} ms pass
     * without a free (at most a second): a loop forgetting stores outruns a Cleaner it does not wait for. The next
     * collection is asked for at twice the level left, so stores that really are in use cost log2 of their number.
     */
    private static void collect() {
        System.gc();
        long level = RESERVED.get();
        try {
            for (int quiet = 0, waited = 0; quiet < QUIET_MS && waited < 1_000; waited++) {
                Thread.sleep(1);
                long now = RESERVED.get();
                quiet = now < level ? 0 : quiet + 1;
                level = Math.min(level, now);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        collectAt = Math.max(COLLECT_STEP, 2 * RESERVED.get());
    }

    /** Gives back {@code n} memories of a freed store. */
    public static void release(int n) {
        long r = RESERVED.addAndGet(-n);
        long settled = Math.max(COLLECT_STEP, 2 * r);
        if (settled < collectAt) {
            collectAt = settled;
        }
    }
}
