package dev.wasmerffm;

import dev.wasmerffm.raw.LibWasmer;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.LockSupport;

/**
 * A store's deadline slot, armed for each outermost call that has a deadline, and the watchdog that enforces it.
 * libwasmer has no interrupt, so the watchdog stops wasm by setting the metering points of every metered instance
 * of the store to 0 (the guest traps at its next metering check), and stops a Java host function with
 * {@link Thread#interrupt()}.
 *
 * <p>Where the calling thread is, is an atomic state: {@link #JAVA} (binding or host code), {@link #WASM} or
 * {@link #DONE} (not armed); {@link #TOUCHING} while the watchdog acts, during which the caller's transitions wait.
 * So the watchdog writes points only while the thread is in wasm, and never after the call ended.
 *
 * <p>The watchdog does not hold the store's lock (the caller does, for the whole call). The write is still sound:
 * {@code wasmer_metering_set_remaining_points} looks up two globals in the instance's own export map (fixed at
 * instantiation) and the store's globals table, and writes their value cells. The table changes only when host
 * code creates objects in the store, which on this store can only happen on the calling thread in state JAVA, when
 * the watchdog does not write. The value cells are also written by the guest's own read-modify-write of the
 * counter, which overwrites the 0: in a tight loop almost every write is lost (measured; the guest
 * likely reads its own pending store, forwarded in the core) and only one landing between its store and its next load sticks. Hence
 * a look at an overdue call keeps writing while the call is in wasm (for {@value #REPEAT_NANOS} ns, then it looks at
 * the other slots again): the watchdog spins one core while a call is past its deadline, and only then.
 *
 * <p>Arming costs no allocation and, in the common case, no contact with the watchdog: one slot per store is
 * reused, and the watchdog sleeps until the earliest armed deadline; a call wakes it only when its own deadline is
 * earlier than that (or the watchdog is idle).
 */
final class Deadline {

    static final int JAVA = 0;
    static final int WASM = 1;
    static final int TOUCHING = 2;
    static final int DONE = 3;
    static final long REPEAT_NANOS = 1_000_000;

    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(Deadline.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private volatile int state = DONE;
    /** {@link System#nanoTime()} at which the armed call's deadline passes. */
    private volatile long due;

    private volatile boolean fired;
    // Written by the caller before it arms (published by the write of state), read by the watchdog after.
    long timeoutNanos;
    private Thread caller;
    /** The store's metered instances when the call began; their handles stay valid until it returns. */
    private MemorySegment[] instances = new MemorySegment[0];
    /** Points each had when first stopped, to give back after the call; -1 = not touched. */
    private long[] saved = new long[0];
    /** Whether the watchdog interrupted the caller; written while TOUCHING, read by the caller after DONE. */
    private boolean interrupted;

    private Deadline() {}

    /** The store's slot, made and given to the watchdog on its first deadline; caller holds the store lock. */
    static Deadline of(Store store) {
        Deadline d = store.deadlineSlot;
        if (d == null) {
            d = new Deadline();
            store.deadlineSlot = d;
            Watchdog.register(d);
        }
        return d;
    }

    /** Arms the slot for a call of {@code func}; caller holds the store lock, the thread counts as in wasm. */
    Deadline arm(Store store, Func func, long timeoutNanos) {
        refreshInstances(store.metered);
        if (instances.length == 0 && !func.isHost()) {
            throw new IllegalStateException("a deadline needs a metered module to stop wasm code, and " + func
                    + " runs in a store without one: compile with new Config().deadlines(true) (or metering) and"
                    + " instantiate in new Store(module)");
        }
        this.timeoutNanos = timeoutNanos;
        this.caller = Thread.currentThread();
        long at = System.nanoTime() + timeoutNanos;
        due = at;
        state = WASM; // from DONE, which only this thread leaves: no race
        Watchdog.armed(at);
        return this;
    }

    /** Keeps the instance array unless the store's live metered instances changed (no allocation per call). */
    private void refreshInstances(List<Instance> metered) {
        int live = 0;
        boolean same = true;
        for (int i = 0; i < metered.size(); i++) {
            Instance inst = metered.get(i);
            if (!inst.isFreed()) {
                same &= live < instances.length
                        && instances[live].address() == inst.rawPointer().address();
                live++;
            }
        }
        if (same && live == instances.length) {
            return;
        }
        MemorySegment[] now = new MemorySegment[live];
        int k = 0;
        for (int i = 0; i < metered.size(); i++) {
            Instance inst = metered.get(i);
            if (!inst.isFreed()) {
                now[k++] = inst.rawPointer();
            }
        }
        instances = now;
        saved = new long[live];
        Arrays.fill(saved, -1);
    }

    /**
     * The watchdog's look at this slot: acts if the armed deadline has passed. Returns when it next needs a look
     * ({@link System#nanoTime()}), or {@code idle} if not armed.
     */
    private long tick(long now, long idle) {
        int s = state;
        if (s == DONE) {
            return idle;
        }
        if (now - due < 0) {
            return due;
        }
        long burstEnd = now + REPEAT_NANOS;
        do {
            if (s != TOUCHING && STATE.compareAndSet(this, s, TOUCHING)) {
                try {
                    // the CAS may have caught a later call of the same store in the same state: is it late too?
                    if (System.nanoTime() - due < 0) {
                        return due;
                    }
                    act(s);
                } catch (Throwable ignored) {
                    // the watchdog must survive; the next look tries again
                } finally {
                    state = s;
                }
            }
            s = state;
        } while (s == WASM && System.nanoTime() - burstEnd < 0);
        return now + REPEAT_NANOS;
    }

    private void act(int s) {
        fired = true;
        if (s == WASM) {
            for (int i = 0; i < instances.length; i++) {
                if (saved[i] < 0) {
                    saved[i] = Math.max(0, LibWasmer.wasmer_metering_get_remaining_points(instances[i]));
                }
                LibWasmer.wasmer_metering_set_remaining_points(instances[i], 0);
            }
        } else if (!interrupted && !caller.isInterrupted()) {
            interrupted = true;
            caller.interrupt();
        }
    }

    /**
     * The calling thread moves to {@code to}, after any watchdog action in progress. From whatever state it was in:
     * a host function's failure (even a StackOverflowError) must not leave a later move waiting for ever.
     */
    private void move(int to) {
        while (true) {
            int s = state;
            if (s != TOUCHING && STATE.compareAndSet(this, s, to)) {
                return;
            }
            Thread.onSpinWait();
        }
    }

    /** The calling thread enters wasm. */
    void toWasm() {
        move(WASM);
    }

    /** The calling thread is back in Java: the call returned. */
    void toJava() {
        move(JAVA);
    }

    /**
     * A host function starts: if it was called from wasm, the thread is in Java from now on (interruptible, and
     * free to change the store). Returns whether it moved; a host function called while instantiating is in Java
     * already.
     */
    boolean hostEnters() {
        while (true) {
            int s = state;
            if (s == JAVA) {
                return false;
            }
            if (s == WASM && STATE.compareAndSet(this, WASM, JAVA)) {
                return true;
            }
            Thread.onSpinWait();
        }
    }

    /** Whether the deadline has passed. */
    boolean passed() {
        return fired;
    }

    /**
     * Ends the deadline once the call has returned; caller holds the store lock. Gives the stopped instances their
     * points back and clears the interrupt the watchdog made.
     *
     * @return whether the deadline passed during the call
     */
    boolean finish() {
        move(DONE);
        if (!fired) {
            return false;
        }
        fired = false;
        for (int i = 0; i < instances.length; i++) {
            if (saved[i] >= 0) {
                LibWasmer.wasmer_metering_set_remaining_points(instances[i], saved[i]);
                saved[i] = -1;
            }
        }
        if (interrupted) {
            interrupted = false;
            Thread.interrupted();
        }
        return true;
    }

    /**
     * The one watchdog thread of the JVM. It keeps the slots weakly (a forgotten store's slot goes with it) and
     * sleeps until the earliest armed deadline, or for good when none is armed.
     */
    static final class Watchdog implements Runnable {
        private static final ConcurrentLinkedQueue<WeakReference<Deadline>> JOINING = new ConcurrentLinkedQueue<>();
        /**
         * When the watchdog wakes next ({@link System#nanoTime()}); far ahead while it scans, so a call armed
         * meanwhile wakes it (checked after the call's own volatile writes, so one of the two sees the other).
         */
        private static volatile long wakeAt;

        private static final Thread THREAD;

        static {
            wakeAt = System.nanoTime() + Long.MAX_VALUE / 2;
            THREAD = new Thread(new Watchdog(), "wasmer-deadlines");
            THREAD.setDaemon(true);
            THREAD.start();
        }

        static void register(Deadline d) {
            JOINING.add(new WeakReference<>(d));
        }

        /** A call armed a deadline at {@code due}: wake the watchdog if it would sleep past it. */
        static void armed(long due) {
            if (due - wakeAt < 0) {
                LockSupport.unpark(THREAD);
            }
        }

        @Override
        public void run() {
            List<WeakReference<Deadline>> slots = new ArrayList<>();
            while (true) {
                try {
                    scan(slots);
                } catch (Throwable ignored) {
                    // the one watchdog must survive anything (an OutOfMemoryError while adding a slot)
                }
            }
        }

        /** One look at every slot, then sleep until the earliest armed deadline (for good if none). */
        private static void scan(List<WeakReference<Deadline>> slots) {
            long now = System.nanoTime();
            long idle = now + Long.MAX_VALUE / 2;
            wakeAt = idle;
            for (WeakReference<Deadline> r; (r = JOINING.poll()) != null; ) {
                slots.add(r);
            }
            long next = idle;
            for (var it = slots.iterator(); it.hasNext(); ) {
                Deadline d = it.next().get();
                if (d == null) {
                    it.remove();
                } else {
                    long at = d.tick(now, idle);
                    if (at - next < 0) {
                        next = at;
                    }
                }
            }
            wakeAt = next;
            if (next == idle) {
                LockSupport.park(Watchdog.class);
            } else {
                LockSupport.parkNanos(Watchdog.class, next - System.nanoTime());
            }
        }
    }
}
