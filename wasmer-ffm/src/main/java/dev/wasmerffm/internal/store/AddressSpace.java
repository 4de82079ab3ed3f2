package dev.wasmerffm.internal.store;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Address space as a resource. libwasmer 7.4.2 reserves 8 GiB and 64 KiB of address space for every memory an
 * instance defines or the host creates (static memories), until its store is freed, while the Java heap sees a few
 * hundred bytes of the store. Forgotten stores are freed by the Cleaner, which runs only after a collection, and the
 * heap has no reason to collect: a loop forgetting stores runs the 128 TiB of a 47-bit address space out at about
 * 16 000 memories. So the memories of live stores are counted here, as {@code java.nio.Bits} counts direct buffer
 * memory: a growth of {@link #COLLECT_STEP} since the level last settled asks for a collection (so the Cleaner frees
 * what was forgotten), and a reservation past {@link #MAX} waits for the Cleaner after a collection, then is refused.
 */
public final class AddressSpace {

    /** The system property capping the memories reserved at once, across all stores. */
    public static final String MAX_PROPERTY = "wasmer.memories.max";

    /** At most this many memories at once: 96 TiB, which leaves a quarter of the address space to the JVM. */
    public static final int MAX = Math.max(1, Integer.getInteger(MAX_PROPERTY, 12_288));

    /** Growth that asks for a collection: 2 TiB of address space (less under a small {@link #MAX}). */
    public static final int COLLECT_STEP = Math.max(1, Math.min(256, MAX / 4));

    private static final AtomicLong RESERVED = new AtomicLong();
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
                if (r + n >= collectAt) {
                    collectAt = 2 * (r + n); // a store count that really grows asks for log2 of it collections
                    System.gc(); // the Cleaner then frees the forgotten stores
                }
                return true;
            }
        }
        return false;
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
