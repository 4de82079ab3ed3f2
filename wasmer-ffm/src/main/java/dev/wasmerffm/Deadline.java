package dev.wasmerffm;

import dev.wasmerffm.raw.LibWasmer;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.LockSupport;

/**
 * A store's deadline slot, armed for each call that has a deadline (its own, or one inherited from a call running
 * in another store on the same thread), and the watchdog that enforces it. libwasmer has no interrupt, so the
 * watchdog stops wasm by setting the metering points of every metered instance of the store to 0 (the guest traps
 * at its next metering check), and a Java host function with {@link Thread#interrupt()}; the binding itself checks
 * the deadline wherever the thread passes between wasm and Java (a host function that starts or returns past it
 * ends the call, a nested call past it does not start).
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
 * counter, which overwrites the 0: in a tight loop almost every write is lost and only one landing between its
 * store and its next load sticks. Hence a look at an overdue call keeps reading and writing while the call is in
 * wasm and the guest keeps counting. Once the 0 stays (two passes in a row read 0 or exhaustion: the guest stopped,
 * or sits in native code such as a libwasmer import, where it traps on its return) or the thread is in Java (after
 * its one interrupt), there is nothing to do: the watchdog looks again only when the thread moves back into wasm,
 * and, in case the guest was merely descheduled between its load and its store, at growing intervals (from
 * {@value #CALM_MIN_NANOS} to {@value #CALM_MAX_NANOS} ns). So it spins only while wasm runs that it can stop. The
 * first intervals are short because a 0 that reads back for a while often has not landed: measured, a metered loop
 * read 0 for over 0.1 ms after the write while its thread kept running, and its counter read as wrapped 1 ms
 * later; starting the pauses at 1 ms made each such miss cost 1 ms (stop delay at p99 48-67 ms against 9-12 ms
 * now, DeadlineBenchmark at load average 9).
 *
 * <p>Points are never given back: before each write the watchdog reads what the guest has left, and the call ends
 * with the last value read before the stop landed, which differs from the truth only by what the guest ran between
 * that read and the write (about one downcall); a counter the 0 wrapped is charged what it counted down since
 * (a guest descheduled between its two reads ran 15.7 M points on a wrapped counter at load 12). An instance that ran out of points by itself before the watchdog
 * wrote to it keeps its exhaustion, and the call reports it as such, not as a deadline.
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
    /** How long one look at an overdue call keeps writing before the other slots get a look. */
    static final long REPEAT_NANOS = 1_000_000;
    /** The longest pause between looks at an overdue call whose stop stays (see the class comment). */
    static final long CALM_MAX_NANOS = 64_000_000;
    /** The first pause after a stop seems to have landed; doubled while it seems so (see the class comment). */
    static final long CALM_MIN_NANOS = 100_000;

    /**
     * What a host function's upcall throws when the deadline has passed as it starts or returns: the call ends
     * with a {@link DeadlineExceededException}, and this never reaches user code. Made once (no allocation on the
     * upcall's catch path).
     */
    static final Throwable STOP = new Throwable("deadline passed", null, false, false) {};

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
    /** The timeout the armed call reports: its own, or the inherited deadline's when that one is earlier. */
    long timeoutNanos;

    private Thread caller;
    /** The store's metered instances when the call began; their handles stay valid until it returns. */
    private MemorySegment[] instances = new MemorySegment[0];
    /**
     * Points each instance had just before the watchdog's latest write of 0, -1 for none: what it gets back if the
     * stop landed. Written while TOUCHING, read by the caller after DONE.
     */
    private long[] last = new long[0];
    /**
     * Per instance, the wrapped counter the watchdog read last since it last read a count, 0 for none: a 0 that
     * lands between the guest's two reads of its counter wraps it, and what the guest runs after that is charged
     * from {@link #last} (see {@link #keep}). Same access as {@link #last}.
     */
    private long[] wrapped = new long[0];
    /** Whether the watchdog interrupted the caller; written while TOUCHING, read by the caller after DONE. */
    private boolean interrupted;
    // The watchdog's own: how many passes in a row found every instance stopped, and the pause before the next look.
    private int calmPasses;
    private long calmPause;

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

    /**
     * Arms the slot for a call of {@code func} with its own {@code timeoutNanos} (0 for none) under the thread's
     * {@code outer} deadline (null for none): the earlier one wins. Caller holds the store lock; the thread counts
     * as in wasm.
     *
     * @throws DeadlineExceededException if the outer deadline has passed already: the call does not start
     * @throws IllegalStateException if {@code func} is wasm and the store holds no metered instance to stop it by
     */
    Deadline arm(Store store, Func func, long timeoutNanos, Deadline outer) {
        refreshInstances(store.metered);
        long now = System.nanoTime();
        long at = now + timeoutNanos;
        long reported = timeoutNanos;
        if (outer != null && (timeoutNanos <= 0 || outer.due - at < 0)) {
            at = outer.due;
            reported = outer.timeoutNanos;
            if (now - at >= 0) {
                throw passed(func, reported);
            }
        }
        if (store.stopped) {
            throw passed(func, reported);
        }
        if (instances.length == 0 && !func.isHost()) {
            throw unstoppable(func, timeoutNanos <= 0);
        }
        this.timeoutNanos = reported;
        this.caller = Thread.currentThread();
        due = at;
        if (store.stopped) { // stopCalls ran since the look above, maybe before this due: stop now
            due = now;
        }
        state = WASM; // from DONE, which only this thread leaves: no race
        Watchdog.armed(due);
        return this;
    }

    /**
     * {@link Store#stopCalls()}: the armed call's deadline is now. The store's flag is set first, so a call arming
     * meanwhile either sees it or has written its due before this one.
     */
    void expire() {
        due = System.nanoTime();
        Watchdog.wake();
    }

    private static DeadlineExceededException passed(Func func, long timeoutNanos) {
        return new DeadlineExceededException(func.toString(), Duration.ofNanos(timeoutNanos), List.of(), null);
    }

    private static IllegalStateException unstoppable(Func func, boolean inherited) {
        return new IllegalStateException((inherited
                        ? func + " would run under the deadline of the call that reached it, which cannot stop it: "
                        : "a deadline needs a metered module to stop wasm code, and " + func + " runs ")
                + "in a store without a metered instance: compile with new Config().deadlines(true) (or metering)"
                + " and instantiate in new Store(module)");
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
        last = new long[live];
        Arrays.fill(last, -1);
        wrapped = new long[live];
    }

    /**
     * The watchdog's look at this slot: acts if the armed deadline has passed. Returns when it next needs a look
     * ({@link System#nanoTime()}), or {@code idle} if only a move of the calling thread can call for one.
     */
    private long tick(long now, long idle) {
        if (state == DONE) {
            return idle;
        }
        if (now - due < 0) {
            return due;
        }
        long burstEnd = now + REPEAT_NANOS;
        while (true) {
            int s = state;
            if (s == DONE) {
                return idle;
            }
            if (s == TOUCHING || !STATE.compareAndSet(this, s, TOUCHING)) {
                continue; // the caller moved meanwhile
            }
            boolean more;
            try {
                // the CAS may have caught a later call of the same store: is it late too?
                if (System.nanoTime() - due < 0) {
                    return due;
                }
                fired = true;
                more = s == WASM ? stopWasm() : interruptCaller();
            } catch (Throwable ignored) {
                more = false; // the watchdog must survive; the next look tries again
            } finally {
                state = s;
            }
            long t = System.nanoTime();
            if (!more) {
                if (s == JAVA) {
                    return idle; // the thread's next move into wasm wakes the watchdog
                }
                calmPause = Math.min(CALM_MAX_NANOS, Math.max(CALM_MIN_NANOS, calmPause * 2));
                return t + calmPause;
            }
            calmPause = 0;
            if (t - burstEnd >= 0) {
                return t; // go on at once, after a look at the other slots
            }
        }
    }

    /**
     * One pass over the instances: reads each one's points and writes 0 over any left. Returns whether another
     * pass can help: false once two passes in a row found every instance at 0 or exhausted (-1).
     *
     * <p>The guest reads its counter twice per check, once to compare and once to subtract: a 0 landing between the
     * two wraps it to almost 2^64 (negative here; no budget is ever that large, so such a value is the wrap). That
     * is written over like any points left, but it is not what the guest had.
     */
    private boolean stopWasm() {
        boolean settled = true;
        for (int i = 0; i < instances.length; i++) {
            long points = LibWasmer.wasmer_metering_get_remaining_points(instances[i]);
            if (points != 0 && points != -1) {
                keep(i, points);
                LibWasmer.wasmer_metering_set_remaining_points(instances[i], 0);
                settled = false;
            }
        }
        calmPasses = settled ? calmPasses + 1 : 0;
        return calmPasses < 2;
    }

    /**
     * Records a count read from instance {@code i}. A wrapped one ({@code < -1}) has counted down from 0 since the 0
     * landed, so what it shows run is taken off {@link #last}: all of it the first time; after that only the further
     * descent when it is deeper (the watchdog's next 0 was lost under the guest's own store), or all of it when it is
     * shallower (that 0 landed and the guest wrapped again). A new wrap deeper than the previous one is charged only
     * its difference: the one case where points can still be given back, at most one watchdog interval's worth.
     */
    private void keep(int i, long points) {
        if (points > 0) {
            last[i] = points;
            wrapped[i] = 0;
        } else if (points < -1 && last[i] >= 0) {
            long ran = points <= wrapped[i] ? wrapped[i] - points : -points;
            last[i] = Math.max(0, last[i] - ran);
            wrapped[i] = points;
        }
    }

    /** Interrupts a host function once per call; nothing more can be done for Java code. */
    private boolean interruptCaller() {
        if (!interrupted && !caller.isInterrupted()) {
            interrupted = true;
            caller.interrupt();
        }
        return false;
    }

    /**
     * The calling thread moves to {@code to}, after any watchdog action in progress. From whatever state it was in:
     * a host function's failure (even a StackOverflowError) must not leave a later move waiting for ever. A move
     * into wasm of a call the watchdog has acted on wakes it: it waits for such a move once it can do no more.
     */
    private void move(int to) {
        while (true) {
            int s = state;
            if (s != TOUCHING && STATE.compareAndSet(this, s, to)) {
                break;
            }
            Thread.onSpinWait();
        }
        if (to == WASM && fired) {
            Watchdog.wake();
        }
    }

    /**
     * A call of this armed store made from one of its host functions enters wasm, unless the deadline has passed.
     *
     * @throws DeadlineExceededException if it has: the call does not start
     * @throws IllegalStateException if {@code func} is wasm that the watchdog could not stop
     */
    void nestedEnters(Func func) {
        if (System.nanoTime() - due >= 0) {
            throw passed(func, timeoutNanos);
        }
        if (instances.length == 0 && !func.isHost()) {
            throw unstoppable(func, false);
        }
        move(WASM);
    }

    /** The nested call returned to its host function. */
    void nestedExits() {
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

    /** A host function that {@link #hostEnters() moved} returns to wasm. */
    void hostExits() {
        move(WASM);
    }

    /** Throws {@link #STOP} if the deadline has passed: a host function neither starts nor returns past it. */
    void check() throws Throwable {
        if (System.nanoTime() - due >= 0) {
            throw STOP;
        }
    }

    /** Whether the watchdog has acted on the running call (read by a nested call after its return). */
    boolean fired() {
        return fired;
    }

    /**
     * Ends the deadline once the call has returned; caller holds the store lock. Each instance the watchdog stopped
     * gets the points it had just before (see the class comment); its interrupt is cleared.
     *
     * @return whether the deadline stopped the call: it fired, and no instance it did not touch ran out of points
     *     by itself
     */
    boolean finish() {
        move(DONE);
        if (!fired) {
            return false;
        }
        fired = false;
        calmPasses = 0;
        calmPause = 0;
        boolean exhaustedByItself = false;
        for (int i = 0; i < instances.length; i++) {
            long points = LibWasmer.wasmer_metering_get_remaining_points(instances[i]);
            if (last[i] >= 0) {
                if (points <= 0) { // the stop landed (0, the trap it caused, or the wrap): no count to keep
                    keep(i, points);
                    LibWasmer.wasmer_metering_set_remaining_points(instances[i], last[i]);
                }
                last[i] = -1;
                wrapped[i] = 0;
            } else if (points == -1) {
                exhaustedByItself = true;
            }
        }
        if (interrupted) {
            interrupted = false;
            Thread.interrupted();
        }
        return !exhaustedByItself;
    }

    /**
     * The one watchdog thread of the JVM. It keeps the slots weakly (a forgotten store's slot goes with it) and
     * sleeps until the earliest look a slot needs, or for good when none needs one.
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

        /** A slot needs a look now. */
        static void wake() {
            LockSupport.unpark(THREAD);
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

        /** One look at every slot, then sleep until the earliest look one needs (for good if none). */
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
