package dev.wasmerffm;

import dev.wasmerffm.raw.LibWasmer;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The deadline of one outermost call, and the watchdog that enforces it. libwasmer has no interrupt, so the
 * watchdog stops wasm by setting the metering points of every metered instance of the store to 0 (the guest traps
 * at its next metering check), and stops a Java host function with {@link Thread#interrupt()}.
 *
 * <p>Where the calling thread is, is an atomic state: {@link #JAVA} (binding or host code), {@link #WASM} or
 * {@link #DONE}; {@link #TOUCHING} while the watchdog acts, during which the caller's transitions wait. So the
 * watchdog writes points only while the thread is in wasm, and never after the call ended.
 *
 * <p>The watchdog does not hold the store's lock (the caller does, for the whole call). The write is still sound:
 * {@code wasmer_metering_set_remaining_points} looks up two globals in the instance's own export map (fixed at
 * instantiation) and the store's globals table, and writes their value cells. The table changes only when host
 * code creates objects in the store, which on this store can only happen on the calling thread in state JAVA, when
 * the watchdog does not write. The value cells are also written by the guest's own read-modify-write of the
 * counter, which can overwrite the 0: hence the watchdog repeats every {@value #REPEAT_MICROS} µs until the call
 * has returned.
 */
final class Deadline implements Runnable {

    static final int JAVA = 0;
    static final int WASM = 1;
    static final int TOUCHING = 2;
    static final int DONE = 3;
    static final long REPEAT_MICROS = 1000;

    private static final VarHandle STATE;
    /** The one watchdog thread of the JVM. */
    private static final ScheduledThreadPoolExecutor TIMER;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(Deadline.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
        TIMER = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "wasmer-deadlines");
            t.setDaemon(true);
            return t;
        });
        TIMER.setRemoveOnCancelPolicy(true);
    }

    final long timeoutNanos;
    private final Thread caller;
    /** The store's metered instances when the call began; their handles stay valid until it returns. */
    private final MemorySegment[] instances;
    /** Points each had when first stopped, to give back after the call; -1 = not touched. */
    private final long[] saved;
    private final ScheduledFuture<?> tick;
    private volatile int state = JAVA;
    private volatile boolean fired;
    private volatile boolean interrupted;

    private Deadline(long timeoutNanos, MemorySegment[] instances) {
        this.timeoutNanos = timeoutNanos;
        this.caller = Thread.currentThread();
        this.instances = instances;
        this.saved = new long[instances.length];
        java.util.Arrays.fill(saved, -1);
        this.tick = TIMER.scheduleWithFixedDelay(this, timeoutNanos, REPEAT_MICROS * 1000, TimeUnit.NANOSECONDS);
    }

    /** Arms a deadline for a call of {@code func}; caller holds the store lock. */
    static Deadline arm(Store store, Func func, long timeoutNanos) {
        var live = new java.util.ArrayList<MemorySegment>(store.metered.size());
        for (Instance i : store.metered) {
            if (!i.isFreed()) {
                live.add(i.rawPointer());
            }
        }
        if (live.isEmpty() && !func.isHost()) {
            throw new IllegalStateException("a deadline needs a metered module to stop wasm code, and " + func
                    + " runs in a store without one: compile with new Config().deadlines(true) (or metering) and"
                    + " instantiate in new Store(module)");
        }
        return new Deadline(timeoutNanos, live.toArray(MemorySegment[]::new));
    }

    /** The watchdog's tick: from the deadline on, until the call is done. */
    @Override
    public void run() {
        int s = state;
        if (s == DONE || s == TOUCHING || !STATE.compareAndSet(this, s, TOUCHING)) {
            return; // a lost race with the caller: the next tick tries again
        }
        try {
            fired = true;
            if (s == WASM) {
                for (int i = 0; i < instances.length; i++) {
                    if (saved[i] < 0) {
                        saved[i] = Math.max(0, LibWasmer.wasmer_metering_get_remaining_points(instances[i]));
                    }
                    LibWasmer.wasmer_metering_set_remaining_points(instances[i], 0);
                }
            } else if (!caller.isInterrupted()) {
                interrupted = true;
                caller.interrupt();
            }
        } catch (Throwable ignored) {
            // the timer thread must survive; the next tick tries again
        } finally {
            state = s;
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
     * Ends the deadline once the call has returned; caller holds the store lock. Gives the
     * stopped instances their points back and clears the interrupt the watchdog made.
     *
     * @return whether the deadline passed during the call
     */
    boolean finish() {
        move(DONE);
        tick.cancel(false);
        if (!fired) {
            return false;
        }
        for (int i = 0; i < instances.length; i++) {
            if (saved[i] >= 0) {
                LibWasmer.wasmer_metering_set_remaining_points(instances[i], saved[i]);
            }
        }
        if (interrupted) {
            Thread.interrupted();
        }
        return true;
    }
}
