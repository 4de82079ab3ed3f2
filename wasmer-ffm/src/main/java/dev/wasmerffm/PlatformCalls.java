package dev.wasmerffm;

import java.util.Objects;
import java.util.concurrent.Semaphore;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

/**
 * Runs the wasm calls of virtual threads on platform threads. A thread inside a downcall, and inside a host function
 * called from one, is pinned to its carrier: a virtual thread calling wasm would hold one of the few carriers for as
 * long as the wasm runs or a host function blocks, and once every carrier is held no other virtual thread runs. So
 * the virtual thread hands the call to a platform thread and parks, unmounted, until the call returns. At most
 * {@link #MAX_THREADS} calls run so at once (system property {@code dev.wasmerffm.platformCallThreads}, default
 * 256, the JDK's own bound on carriers); more wait their turn, parked. Idle platform threads end after 30 s. With
 * the property at 0 a virtual thread's calls run on it, pinning its carrier.
 *
 * <p>The store lock the virtual thread holds is lent to the platform thread for the call ({@link Store.Lock}), so a
 * host function uses the store as it would on the calling thread. An interrupt of the waiting virtual thread is
 * passed on to the platform thread while it runs the call, and an interrupt the call leaves set comes back. Host
 * functions see the platform thread as {@link Thread#currentThread()}: the virtual thread's thread-locals are not
 * theirs (a store's {@link Store#handOff} can carry some, e.g. a tracing scope), and neither are the locks it holds
 * (one it holds across the call, taken again by a host function, waits for ever).
 *
 * <p>A call nested in one running here never waits for a platform thread: one made on the platform thread itself
 * (a host function calling wasm) runs there, as on any platform thread; one made on a virtual thread that a host
 * function here started, while that call still runs, runs on its virtual thread when no platform thread is free.
 * Otherwise a host function waiting for such a virtual thread would hold its platform thread while the virtual
 * thread waits for one, and with every platform thread so held no call would ever end.
 */
final class PlatformCalls {

    static final int MAX_THREADS = Math.max(0, Integer.getInteger("dev.wasmerffm.platformCallThreads", 256));

    /** Whether the calls of virtual threads move to platform threads. */
    static final boolean ON = MAX_THREADS > 0;

    private static final Semaphore PERMITS = new Semaphore(MAX_THREADS);
    private static final AtomicInteger NAMES = new AtomicInteger();
    /**
     * The call a thread's platform thread runs, seen by the virtual threads its host functions start (an inheritable
     * value is copied when a thread is made): a call of theirs is nested in it.
     */
    private static final InheritableThreadLocal<Task<?>> RUNNING = new InheritableThreadLocal<>();

    private static final ThreadPoolExecutor THREADS =
            new ThreadPoolExecutor(0, Integer.MAX_VALUE, 30, TimeUnit.SECONDS, new SynchronousQueue<>(), r -> {
                Thread t = new Thread(r, "wasmer-call-" + NAMES.incrementAndGet());
                t.setDaemon(true);
                return t;
            });

    private PlatformCalls() {}

    /**
     * Runs {@code body} on a platform thread with the store lock the caller holds, wrapped by the store's
     * {@link Store#handOff hand-off}, and returns what it returns; on the calling virtual thread (unwrapped: its
     * context is there) if it was started inside a call still running here and no platform thread is free.
     */
    static <T> T call(Store store, Supplier<T> body) {
        Task<?> outer = RUNNING.get();
        if (outer != null && !outer.done) {
            if (!PERMITS.tryAcquire()) {
                return body.get();
            }
        } else {
            PERMITS.acquireUninterruptibly();
        }
        Task<T> task;
        try {
            task = new Task<>(store, Thread.currentThread(), body);
            THREADS.execute(task);
        } catch (RuntimeException | Error e) { // the hand-off failed, or no thread could be made
            PERMITS.release();
            throw e;
        }
        return task.await();
    }

    private static final class Task<T> implements Runnable {
        private final Store.Lock lock;
        private final Thread caller;
        /** The call as the store's hand-off wrapped it: runs {@link #call}. */
        private final Runnable body;

        private final Supplier<T> call;
        /** Set once {@link #call} ran: a hand-off that skips it fails the call instead of leaving no result. */
        private boolean ran;
        /** The platform thread once it runs the call; guarded by this task, like the two flags below. */
        private Thread runner;

        private boolean finished;
        /** An interrupt of the caller that came before the call started, or after it ended. */
        private boolean interruptFirst;

        private boolean interruptAfter;

        private T result;
        private Throwable failure;
        private boolean leftInterrupted;
        private volatile boolean done;

        Task(Store store, Thread caller, Supplier<T> call) {
            this.lock = store.lock;
            this.caller = caller;
            this.call = call;
            this.body =
                    Objects.requireNonNull(store.handOff.apply(this::runCall), "the store's hand-off returned null");
        }

        /**
         * The call itself, inside the hand-off: its failure is kept here, so a hand-off catching what it throws
         * cannot turn it into a result.
         */
        private void runCall() {
            if (ran) {
                IllegalStateException twice = new IllegalStateException("the store's hand-off ran the call twice");
                if (failure == null) {
                    failure = twice;
                }
                throw twice;
            }
            ran = true;
            try {
                result = call.get();
            } catch (Throwable e) {
                failure = e;
            }
        }

        @Override
        public void run() {
            Thread self = Thread.currentThread();
            synchronized (this) {
                runner = self;
                if (interruptFirst) {
                    self.interrupt();
                }
            }
            boolean borrowed = lock.borrow(caller);
            RUNNING.set(this);
            try {
                body.run();
                if (!ran) {
                    failure = new IllegalStateException("the store's hand-off did not run the call");
                }
            } catch (Throwable e) {
                if (failure == null) { // the call's own failure comes first
                    failure = e;
                }
            } finally {
                RUNNING.remove();
                if (borrowed) {
                    lock.giveBack(caller);
                }
                synchronized (this) {
                    finished = true;
                }
                leftInterrupted = Thread.interrupted(); // the caller's to keep, not the next call's
                PERMITS.release();
                done = true;
                LockSupport.unpark(caller);
            }
        }

        T await() {
            while (!done) {
                LockSupport.park(this);
                if (Thread.interrupted()) {
                    synchronized (this) {
                        if (runner == null) {
                            interruptFirst = true;
                        } else if (!finished) {
                            runner.interrupt();
                        } else {
                            interruptAfter = true;
                        }
                    }
                }
            }
            if (interruptAfter || leftInterrupted) {
                Thread.currentThread().interrupt();
            }
            if (failure instanceof RuntimeException e) {
                throw e;
            }
            if (failure instanceof Error e) {
                throw e;
            }
            if (failure != null) {
                throw new WasmerException("a call failed on its platform thread", failure);
            }
            return result;
        }
    }
}
