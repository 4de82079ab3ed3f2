package dev.wasmerffm;

import dev.wasmerffm.internal.Layouts;
import dev.wasmerffm.internal.access.Access;
import dev.wasmerffm.internal.call.StackGuard;
import dev.wasmerffm.internal.store.AddressSpace;
import dev.wasmerffm.internal.store.LastError;
import dev.wasmerffm.internal.store.NativeResource;
import dev.wasmerffm.internal.store.SharedResource;
import dev.wasmerffm.raw.LibWasm;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.AbstractQueuedSynchronizer;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * Owns everything made in it, as libwasmer's store does: instances, functions, memories, tables, globals, WASI
 * environments and externref values live until the store is closed, and {@link #close()} frees them all, whatever
 * Java objects are still around (they then throw {@link IllegalStateException}). Closing an instance or a function
 * earlier frees only its handle: its memory and code are reclaimed with the store. So a store is for one job (a
 * request, a tenant, a pooled instance), not for an application's lifetime; {@link #maxInstances(int)} makes a
 * long-lived store that keeps instantiating fail loudly instead of growing.
 *
 * <p>A store runs on one native engine: {@code new Store(engine)} on the engine's, {@code new Store(module)} on the
 * one holding the module's code (the only store a metered module can be instantiated in, since each metered module
 * has a native engine of its own). Instantiating a module of another native engine is a {@link LinkException}.
 *
 * <p>libwasmer's stores are single-threaded, so every operation on a store or anything in it runs under this
 * store's lock: callers on other threads wait their turn, and a host function may call back into its own store on
 * the same thread. A host function waits for another store at most {@value #CROSS_STORE_WAIT_MS} ms, then gets a
 * {@link StoreBusyException}: two threads calling into each other's stores would otherwise wait forever.
 *
 * <p>Nothing is freed under a running call: {@link #close()} (or closing anything in the store) from a host function
 * or from another thread while a call runs returns at once, refuses new calls, and the store is freed when the
 * running outermost call returns.
 */
public final class Store implements AutoCloseable {

    static {
        Access.setCore(new CoreAccessImpl());
    }

    private static final int VAL = (int) Layouts.VAL.byteSize();
    static final long CROSS_STORE_WAIT_MS = 250;
    /** The default of {@link #maxWasiEnvironments(int)}. */
    public static final int DEFAULT_MAX_WASI_ENVIRONMENTS = 8;
    /** The WASI placeholder's module, also its key among the engine's generated modules. */
    private static final String WASI_PLACEHOLDER = "(module (memory (export \"memory\") 0))";

    private final Engine engine;
    final Lock lock = new Lock();
    final Native state;
    /** The native engine this store runs on; an instance's module must have been compiled by it. */
    final SharedResource.State nativeEngine;

    private Frame[] frames = new Frame[4];
    private int depth = -1;
    // Java objects passed to wasm as externrefs, at the id (index + 1) libwasmer carries as the foreign ref's host
    // info, with one native ref each: libwasmer keeps every externref until its store dies, so an object passed a
    // million times must make one, not a million. Made on first use: most stores never see an externref.
    private List<Object> hostObjects;
    private IdentityHashMap<Object, MemorySegment> hostRefs;
    /** Host functions made here, at the index their env id carries (see {@link Upcalls}). */
    final List<Upcalls.Host> hosts = new ArrayList<>(0);
    /** Metered instances here: a trap in any of them may be their exhaustion. */
    final List<Instance> metered = new ArrayList<>(0);
    /** Whether a module with v128 in a signature lives here; then libwasmer must not be asked for funcref types. */
    boolean hasV128;

    private int instances;
    private int maxInstances = Integer.MAX_VALUE;
    private int wasiEnvironments;
    private int maxWasiEnvironments = DEFAULT_MAX_WASI_ENVIRONMENTS;
    /** The deadline of every outermost call from Java, 0 for none (see {@link #callTimeout(Duration)}). */
    volatile long callTimeoutNanos;

    /** What a virtual thread's call is wrapped in to run on its platform thread ({@link #handOff}). */
    volatile UnaryOperator<Runnable> handOff = UnaryOperator.identity();
    /** The deadline of the running outermost call, if it has one; read and written under the lock. */
    Deadline deadline;
    /**
     * The deadline reused by every call here that has one, made on the first; volatile for {@link #stopCalls()} on
     * another thread.
     */
    volatile Deadline deadlineSlot;
    /** Set by {@link #stopCalls()}: a call with a deadline ends now, and none starts. */
    volatile boolean stopped;

    private Instance wasiPlaceholder;
    // The stack bound of the thread that last entered, so the check costs one comparison per call.
    private Thread guardThread;
    private long guardLimit;

    /** A store on {@code engine}'s native engine. */
    public Store(Engine engine) {
        this(engine, engine.retain());
    }

    /**
     * A store on the native engine holding {@code module}'s code: for a metered module that is the module's own
     * engine, so this is the store it can be instantiated in.
     */
    public Store(Module module) {
        this(module.engine(), module.retainCode());
    }

    private Store(Engine engine, SharedResource.State nativeEngine) {
        this.engine = engine;
        this.nativeEngine = nativeEngine;
        MemorySegment store = nativeEngine.use(LibWasm::wasm_store_new);
        if (store == null || store.equals(MemorySegment.NULL)) {
            nativeEngine.release();
            throw new WasmerException("cannot create a store: " + LastError.take("no reason given"));
        }
        this.state = new Native(store, lock, nativeEngine);
        NativeResource.CLEANER.register(this, state);
    }

    /**
     * What the store owns natively, and its free: separate from {@link Store} so the Cleaner can run it once the
     * store is unreachable (then no thread can be inside it, so taking the lock never waits).
     */
    static final class Native implements Runnable {
        final MemorySegment address;
        final Lock lock;
        // Both made on first use: closing a shared arena costs a handshake with every thread, and most stores
        // never need one (call frames are libwasmer-allocated handles instead).
        /** Memory views: closed first, so every view throws instead of touching freed memory. */
        private Arena views;
        /** Memory libwasmer keeps pointing into (WASI volumes): freed only after the native store. */
        private Arena late;

        final NativeResource.Handles handles = new NativeResource.Handles();
        private final List<SharedResource.State> engines = new ArrayList<>(1);
        volatile boolean closeRequested;
        volatile boolean freed;
        /**
         * A trap made ahead of time, so a failing host function can return one without a downcall (its catch path
         * may run with almost no stack left); made with the store's first host function (only those upcall) and
         * refilled after each trapping call.
         */
        long reserveTrap;
        /** What a host function threw, for the Java frame that called into wasm. */
        Throwable pending;
        /** The memories made here, counted in {@link AddressSpace} until the store is freed; under the lock. */
        int memories;

        Native(MemorySegment address, Lock lock, SharedResource.State engine) {
            this.address = address;
            this.lock = lock;
            engines.add(engine);
            NativeResource.LIVE.incrementAndGet();
        }

        /** The arena of memory views; caller holds the lock. */
        Arena views() {
            if (views == null) {
                views = Arena.ofShared();
            }
            return views;
        }

        /** The arena of memory freed after the native store; caller holds the lock. */
        Arena late() {
            if (late == null) {
                late = Arena.ofShared();
            }
            return late;
        }

        /** Keeps an engine alive while the store lives; caller holds the lock. */
        void hold(SharedResource.State engine) {
            if (!engines.contains(engine) && engine.retain()) {
                engines.add(engine);
            }
        }

        /** Frees everything; caller holds the lock and no call of this store is running. */
        void free() {
            if (freed) {
                return;
            }
            freed = true;
            closeRequested = true;
            if (views != null) {
                try {
                    views.close();
                } catch (RuntimeException ignored) {
                    // a view in use elsewhere still fails after this: its memory is only freed below
                }
            }
            handles.freeAll();
            if (reserveTrap != 0) {
                LibWasm.wasm_trap_delete(MemorySegment.ofAddress(reserveTrap));
                reserveTrap = 0;
            }
            LibWasm.wasm_store_delete(address);
            AddressSpace.release(memories);
            memories = 0;
            if (late != null) {
                late.close();
            }
            NativeResource.LIVE.decrementAndGet();
            engines.forEach(SharedResource.State::release);
            engines.clear();
        }

        /** The Cleaner's free of a forgotten store; never waits. */
        @Override
        public void run() {
            if (lock.tryLock()) {
                try {
                    free();
                } catch (Throwable ignored) {
                    // a Cleaner thread must never die from a failed free
                } finally {
                    lock.unlock();
                }
            }
        }
    }

    /**
     * The store's lock: a reentrant lock (as {@link java.util.concurrent.locks.ReentrantLock}, non-fair) whose holds
     * can be lent to the platform thread that runs a virtual thread's call ({@link PlatformCalls}): while the holder
     * is parked waiting for the call, the platform thread owns them, so host functions enter the store as they would
     * on the calling thread.
     */
    static final class Lock extends AbstractQueuedSynchronizer {

        @Override
        protected boolean tryAcquire(int holds) {
            Thread t = Thread.currentThread();
            int c = getState();
            if (c == 0) {
                if (compareAndSetState(0, holds)) {
                    setExclusiveOwnerThread(t);
                    return true;
                }
            } else if (getExclusiveOwnerThread() == t) {
                setState(c + holds);
                return true;
            }
            return false;
        }

        @Override
        protected boolean tryRelease(int holds) {
            if (getExclusiveOwnerThread() != Thread.currentThread()) {
                throw new IllegalMonitorStateException();
            }
            int c = getState() - holds;
            if (c == 0) {
                setExclusiveOwnerThread(null);
            }
            setState(c);
            return c == 0;
        }

        @Override
        protected boolean isHeldExclusively() {
            return getExclusiveOwnerThread() == Thread.currentThread();
        }

        boolean tryLock() {
            return tryAcquire(1);
        }

        boolean tryLock(long timeout, TimeUnit unit) throws InterruptedException {
            return tryAcquireNanos(1, unit.toNanos(timeout));
        }

        void lock() {
            acquire(1);
        }

        void unlock() {
            release(1);
        }

        int getHoldCount() {
            return isHeldExclusively() ? getState() : 0;
        }

        /**
         * Takes over the holds of {@code holder}, which is parked until {@link #giveBack}; false if it holds none.
         * Only the holder makes itself the owner, so while it is parked the owner cannot change under this check.
         */
        boolean borrow(Thread holder) {
            if (getState() != 0 && getExclusiveOwnerThread() == holder) {
                setExclusiveOwnerThread(Thread.currentThread());
                return true;
            }
            return false;
        }

        /** Gives the borrowed holds back to {@code holder} (published to it by the wake-up that follows). */
        void giveBack(Thread holder) {
            setExclusiveOwnerThread(holder);
        }
    }

    /** An instance exporting only a memory, for WASI environments not yet bound to a program; caller holds the lock. */
    Instance wasiPlaceholder() {
        if (wasiPlaceholder == null) {
            // Compiled once per Engine (libwasmer keeps compiled code as long as its engine, so a compile per store
            // would grow with every store), by the Engine: this store's native engine may be a metered module's,
            // which compiles nothing more. Running it here is safe: it has no functions, so no signature lookup.
            Module m =
                    engine.generated.computeIfAbsent(WASI_PLACEHOLDER, k -> Module.compile(engine, WASI_PLACEHOLDER));
            wasiPlaceholder = Instance.create(this, m, false);
        }
        return wasiPlaceholder;
    }

    /** Keeps an engine alive while this store lives; caller holds the lock. */
    void hold(SharedResource.State engine) {
        state.hold(engine);
    }

    /** The engine this store was made for. */
    public Engine engine() {
        return engine;
    }

    /**
     * Caps how many instances may ever be made here (closed ones count: their memory stays until the store
     * closes); past it {@link Instance#create} throws {@link StoreLimitException}. Default: no cap.
     */
    public Store maxInstances(int max) {
        if (max < 1) {
            throw new IllegalArgumentException("maxInstances must be at least 1, got " + max);
        }
        this.maxInstances = max;
        return this;
    }

    /**
     * Gives every call into this store from Java (boxed and typed alike) a deadline: past it, the call stops with a
     * {@link DeadlineExceededException}, as {@link Func#callWithTimeout(Duration, Object...)} does. The store's
     * modules must be metered ({@link Config#deadlines(boolean)}). {@link Duration#ZERO} (the default) for none.
     * A module's start function is no call: libwasmer runs it while {@link Instance#create} makes the instance,
     * before the watchdog can reach that instance's points, so no deadline stops it (only the engine's
     * {@link Config#metering(Metering) metering} budget does), and making such an instance inside a call with a
     * deadline is refused.
     */
    public Store callTimeout(Duration timeout) {
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("callTimeout must be >= 0, got " + timeout);
        }
        this.callTimeoutNanos = timeout.toNanos();
        return this;
    }

    /**
     * Wraps the wasm calls of virtual threads for the platform thread that runs them ({@link Func}): {@code handOff}
     * is applied on the calling thread at each hand-off and the {@link Runnable} it returns runs the call on the
     * platform thread, e.g. inside the calling thread's tracing scope, so host functions see it. The {@link Runnable}
     * must run the call once, on the thread that runs it; one that skips it or runs it twice fails the call with
     * {@link IllegalStateException}, and the call's own failure is thrown even if the wrapper catches it. It is user
     * code on the call path: keep it cheap; what it throws fails the call. Default: the call as it is.
     */
    public Store handOff(UnaryOperator<Runnable> handOff) {
        this.handOff = Objects.requireNonNull(handOff, "handOff");
        return this;
    }

    /** The deadline every call gets, {@link Duration#ZERO} for none. */
    public Duration callTimeout() {
        return Duration.ofNanos(callTimeoutNanos);
    }

    /**
     * For shutdown, from any thread: the call running here ends as if its deadline passed now (if it has one: a
     * {@link #callTimeout(Duration)} or its own), and every later call from Java fails to start with a
     * {@link DeadlineExceededException}. The store stays open. A call without a deadline runs on, since only a
     * deadline's metering can stop wasm.
     */
    public void stopCalls() {
        stopped = true;
        Deadline d = deadlineSlot;
        if (d != null) {
            d.expire();
        }
    }

    /** How many instances have been made here. */
    public int instanceCount() {
        return instances;
    }

    /**
     * Caps how many WASI environments may ever be made here (closed ones count): libwasmer keeps each one's
     * runtime, about 7 file descriptors and 3 threads, until the store is freed, and its C API has no way to give
     * them back earlier; past the cap {@code WasiEnv.create} throws {@link StoreLimitException}. Default
     * {@value #DEFAULT_MAX_WASI_ENVIRONMENTS}.
     */
    public Store maxWasiEnvironments(int max) {
        if (max < 1) {
            throw new IllegalArgumentException("maxWasiEnvironments must be at least 1, got " + max);
        }
        this.maxWasiEnvironments = max;
        return this;
    }

    /** Counts a WASI environment against {@link #maxWasiEnvironments(int)}; caller holds the lock. */
    void countWasiEnvironment() {
        if (wasiEnvironments >= maxWasiEnvironments) {
            throw new StoreLimitException("this store has made its maximum of " + maxWasiEnvironments + " WASI"
                    + " environments; libwasmer keeps each one's file descriptors and threads until the store is"
                    + " freed, even when the environment is closed, so make one per store (Store.maxWasiEnvironments"
                    + " raises the cap)");
        }
        wasiEnvironments++;
    }

    /**
     * Reserves address space for {@code n} memories about to be made here ({@link AddressSpace}), given back when
     * the store is freed; caller holds the lock.
     *
     * @throws ResourceExhaustedException past {@link AddressSpace#MAX} once the Cleaner freed what it could
     */
    void reserveMemories(int n) {
        if (n == 0) {
            return;
        }
        String shortfall = AddressSpace.reserve(n);
        if (shortfall != null) {
            throw new ResourceExhaustedException(shortfall);
        }
        state.memories += n;
    }

    /**
     * Counts an instantiation against {@link #maxInstances(int)} and reserves its {@code memories}; caller holds the
     * lock.
     */
    void countInstance(int memories) {
        if (instances >= maxInstances) {
            throw new StoreLimitException("this store has made its maximum of " + maxInstances + " instances; a"
                    + " store keeps every instance's memory until it closes, so instantiate per job in a store of"
                    + " its own (or borrow from an instance pool) instead of in a long-lived store");
        }
        reserveMemories(memories);
        instances++;
    }

    /**
     * Takes the lock and checks the store is open; pair with {@link #exit()}. Returns the store pointer. A new call
     * is refused once {@link #close()} was asked; nested calls of the running one go on so it can finish.
     */
    MemorySegment enter() {
        if (!lock.tryLock()) {
            lockContended();
        }
        if (state.freed || state.closeRequested && lock.getHoldCount() == 1) {
            exit();
            throw new IllegalStateException("Store is closed");
        }
        return state.address;
    }

    /** Runs {@code body} under the lock on the pointer {@code pointer} gives once the store is checked open. */
    <T> T locked(Supplier<MemorySegment> pointer, Function<MemorySegment, T> body) {
        enter();
        try {
            return body.apply(pointer.get());
        } finally {
            exit();
        }
    }

    private void lockContended() {
        if (!Upcalls.inHostFunction()) {
            lock.lock();
            return;
        }
        // This thread is inside a host function, holding its own store: waiting without bound could deadlock.
        try {
            if (lock.tryLock(CROSS_STORE_WAIT_MS, TimeUnit.MILLISECONDS)) {
                return;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        throw new StoreBusyException("a host function waited " + CROSS_STORE_WAIT_MS + " ms for " + this
                + ", which another thread is using; calls between stores on different threads can deadlock");
    }

    /** Releases the lock; the last release of a holder frees what was closed meanwhile (the store, or handles). */
    void exit() {
        // the flags first: on the hot path they are false, and getHoldCount() costs more than two reads
        if ((state.closeRequested || state.handles.hasReleased()) && lock.getHoldCount() == 1) {
            settle();
        }
        lock.unlock();
        if (state.closeRequested && !state.freed) {
            // close() may have failed its tryLock just before this unlock: whoever gets the lock now frees
            freeIfIdle();
        }
    }

    /** Frees the store if asked to, else the handles released meanwhile; caller holds the lock once. */
    private void settle() {
        if (state.closeRequested) {
            state.free();
        } else if (!state.freed) {
            state.handles.drain();
        }
    }

    private void freeIfIdle() {
        if (lock.tryLock()) {
            try {
                if (lock.getHoldCount() == 1) {
                    settle();
                }
            } finally {
                lock.unlock();
            }
        }
    }

    /** Frees a handle now if nothing runs in the store, else when the running call returns. Never waits. */
    void release(NativeResource.Handle handle) {
        state.handles.release(handle);
        if (!state.freed) {
            freeIfIdle();
        }
    }

    /** The store pointer; caller holds the lock. */
    MemorySegment address() {
        return state.address;
    }

    /** Whether {@link #close()} has been called. */
    public boolean isClosed() {
        return state.closeRequested;
    }

    /** Whether the native store has been freed (after {@link #close()}, once no call runs in it). */
    public boolean isFreed() {
        return state.freed;
    }

    /**
     * Frees the store and everything made in it; every Java object of it then throws {@link IllegalStateException}.
     * Never waits: from a host function, or while another thread's call runs here, the store refuses new calls at
     * once and is freed when the running call returns. A second call does nothing.
     */
    @Override
    public void close() {
        state.closeRequested = true;
        freeIfIdle();
    }

    /** A borrowed externref for a Java object, made once per object; caller holds the lock. */
    MemorySegment externRef(Object o) {
        if (hostRefs == null) {
            hostRefs = new IdentityHashMap<>();
            hostObjects = new ArrayList<>();
        }
        MemorySegment ref = hostRefs.get(o);
        if (ref == null) {
            hostObjects.add(o);
            MemorySegment foreign = LibWasm.wasm_foreign_new(address());
            LibWasm.wasm_foreign_set_host_info(foreign, MemorySegment.ofAddress(hostObjects.size()));
            ref = LibWasm.wasm_foreign_as_ref(foreign);
            state.handles.add(NativeResource.Kind.REF, ref.address(), 0);
            hostRefs.put(o, ref);
        }
        return ref;
    }

    /** The Java object behind an externref; caller holds the lock. */
    Object hostObject(MemorySegment ref) {
        long id = LibWasm.wasm_ref_get_host_info(ref).address();
        Object o = hostObjects == null || id < 1 || id > hostObjects.size() ? null : hostObjects.get((int) id - 1);
        if (o == null) {
            throw new WasmerException("externref " + id + " was not made by this store");
        }
        return o;
    }

    /**
     * A call's scratch frame with room for the given counts; caller holds the lock and calls {@link #pop()}. Checks
     * first that the thread has the stack a call may need ({@link StackHeadroomException}).
     */
    Frame push(int params, int results) {
        Thread t = Thread.currentThread();
        if (t != guardThread || t.isVirtual()) {
            guardLimit = StackGuard.limit();
            guardThread = t;
        }
        String shortfall = StackGuard.shortfall(guardLimit);
        if (shortfall != null) {
            throw new StackHeadroomException(shortfall);
        }
        int d = ++depth;
        if (d == frames.length) {
            frames = Arrays.copyOf(frames, d * 2);
        }
        Frame f = frames[d];
        if (f == null || f.capacity < Math.max(params, results)) {
            f = new Frame(state.handles, Math.max(4, Math.max(params, results)));
            frames[d] = f;
        }
        f.args.set(ValueLayout.JAVA_LONG, Layouts.VEC_SIZE, params);
        f.results.set(ValueLayout.JAVA_LONG, Layouts.VEC_SIZE, results);
        return f;
    }

    void pop() {
        depth--;
    }

    /** The native traps of a finished call: the host exception it carried, and a new reserve trap. */
    Throwable takePending() {
        Throwable t = state.pending;
        state.pending = null;
        fillReserveTrap();
        return t;
    }

    /** Makes the reserve trap if this store has host functions and none is left; caller holds the lock. */
    void fillReserveTrap() {
        if (state.reserveTrap == 0 && !hosts.isEmpty()) {
            state.reserveTrap = Traps.newReserve(state.address);
        }
    }

    /**
     * Two {@code wasm_val_vec_t} headers over two value arrays, in one block libwasmer allocated (a byte vec handle
     * of the store, freed with it). {@code argsPointer}/{@code resultsPointer} are the same addresses as plain
     * pointers, which a downcall passes without any scope check.
     */
    static final class Frame {
        final int capacity;
        final MemorySegment args;
        final MemorySegment results;
        final MemorySegment argVals;
        final MemorySegment resultVals;
        final MemorySegment argsPointer;
        final MemorySegment resultsPointer;

        Frame(NativeResource.Handles handles, int capacity) {
            this.capacity = capacity;
            long vec = Layouts.VEC.byteSize();
            long vals = (long) VAL * capacity;
            long size = 2 * vec + 2 * vals;
            MemorySegment block;
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment out = arena.allocate(Layouts.VEC);
                LibWasm.wasm_byte_vec_new_uninitialized(out, size); // malloc'd: 8-byte aligned
                block = out.get(ValueLayout.ADDRESS, Layouts.VEC_DATA).reinterpret(size);
            }
            handles.add(NativeResource.Kind.BYTE_VEC, block.address(), size);
            args = block.asSlice(0, vec);
            results = block.asSlice(vec, vec);
            argVals = block.asSlice(2 * vec, vals);
            resultVals = block.asSlice(2 * vec + vals, vals);
            args.set(ValueLayout.ADDRESS, Layouts.VEC_DATA, argVals);
            results.set(ValueLayout.ADDRESS, Layouts.VEC_DATA, resultVals);
            argsPointer = MemorySegment.ofAddress(args.address());
            resultsPointer = MemorySegment.ofAddress(results.address());
        }
    }

    @Override
    public String toString() {
        return "Store[" + engine.backend() + (isClosed() ? ", closed]" : "]");
    }
}
