package dev.wasmerffm;

import dev.wasmerffm.raw.Layouts;
import dev.wasmerffm.raw.LibWasm;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Holds instances, functions, memories, tables and globals. libwasmer's stores are single-threaded, so every
 * operation on a store or anything in it runs under this store's lock: callers on other threads wait their turn,
 * and a host function may call back into its own store on the same thread (the lock is reentrant). For parallel
 * work, use one store per thread (or a pool of them) and share the {@link Engine} and compiled {@link Module}s.
 */
public final class Store implements AutoCloseable {

    private static final int VAL = (int) Layouts.VAL.byteSize();

    private final Engine engine;
    final ReentrantLock lock = new ReentrantLock();
    private final NativeResource resource;
    // Scratch memory for calls, one frame per nesting depth (host functions calling back in): no allocation per call.
    // Freed with the store, not by GC: an automatic arena's native memory waits for heap pressure that may not come.
    private final Arena scratch = Arena.ofShared();
    private Frame[] frames = new Frame[4];
    private int depth = -1;
    /** The instance whose function is running at the innermost call; host functions reach its memory. */
    Instance caller;
    // Java objects passed to wasm as externrefs, at the id (index + 1) libwasmer carries as the foreign ref's host
    // info. Made on first use: most stores never see an externref, and a thousand stores should not carry the maps.
    private List<Object> hostObjects;
    private IdentityHashMap<Object, Long> hostIds;
    /** Whether a module with v128 in a signature lives here; then libwasmer must not be asked for funcref types. */
    boolean hasV128;

    /**
     * Engines whose machine code runs here (this store's, and those that compiled its instances' modules): each
     * stays alive until this store is freed. A list: there are one or two, and a set's table costs more.
     */
    private final List<SharedResource.State> engines = new ArrayList<>(1);

    /** A store for an engine. */
    public Store(Engine engine) {
        this.engine = engine;
        SharedResource.State own = engine.retain();
        MemorySegment store = engine.use(LibWasm::wasm_store_new);
        if (store.equals(MemorySegment.NULL)) {
            own.release();
            throw new WasmerException("cannot create a store: " + LastError.take("no reason given"));
        }
        engines.add(own);
        List<SharedResource.State> held = engines;
        Arena frames = scratch;
        this.resource = new NativeResource(this, "Store", store, lock, s -> {
            LibWasm.wasm_store_delete(s);
            frames.close();
            held.forEach(SharedResource.State::release);
            held.clear();
        });
    }

    private Instance wasiPlaceholder;

    /** An instance exporting only a memory, for WASI environments not yet bound to a program; caller holds the lock. */
    Instance wasiPlaceholder() {
        if (wasiPlaceholder == null) {
            try (Module m = Module.compile(this, Wasmer.wat2wasm("(module (memory (export \"memory\") 0))"))) {
                wasiPlaceholder = Instance.create(this, m);
            }
        }
        return wasiPlaceholder;
    }

    /** Keeps an engine alive while this store lives; caller holds the lock. */
    void hold(SharedResource.State engine) {
        if (!engines.contains(engine) && engine.retain()) {
            engines.add(engine);
        }
    }

    /** A new reference to this store's engine, for a module compiled through the store. */
    SharedResource.State retainEngine() {
        for (SharedResource.State s : engines) {
            if (s.retain()) {
                return s; // the first one added is this store's own engine
            }
        }
        throw new IllegalStateException("Store is closed");
    }

    /** The engine this store compiles and runs with. */
    public Engine engine() {
        return engine;
    }

    /** Takes the lock and checks the store is open; pair with {@link #exit()}. Returns the store pointer. */
    MemorySegment enter() {
        lock.lock();
        if (resource.isClosed()) {
            lock.unlock();
            throw new IllegalStateException("Store is closed");
        }
        return resource.address();
    }

    void exit() {
        lock.unlock();
    }

    /** The store pointer; caller holds the lock. */
    MemorySegment address() {
        return resource.address();
    }

    /** Whether {@link #close()} has been called. */
    public boolean isClosed() {
        return resource.isClosed();
    }

    /**
     * Frees the store. Everything created in it becomes unusable ({@link IllegalStateException}); their native
     * memory is freed as they are closed or collected. Waits for a call running on another thread to finish.
     */
    @Override
    public void close() {
        resource.close(); // the free itself waits for the store's lock
    }

    /**
     * A new owned externref for a Java object; caller holds the lock. The object stays reachable from this store
     * until it closes, since wasm may keep the reference anywhere.
     */
    MemorySegment externRef(Object o) {
        if (hostIds == null) {
            hostIds = new IdentityHashMap<>();
            hostObjects = new ArrayList<>();
        }
        long id = hostIds.computeIfAbsent(o, k -> {
            hostObjects.add(k);
            return (long) hostObjects.size();
        });
        MemorySegment foreign = LibWasm.wasm_foreign_new(address());
        LibWasm.wasm_foreign_set_host_info(foreign, MemorySegment.ofAddress(id));
        return LibWasm.wasm_foreign_as_ref(foreign);
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

    /** A call's scratch frame with room for the given counts; caller holds the lock and calls {@link #pop()}. */
    Frame push(int params, int results) {
        int d = ++depth;
        if (d == frames.length) {
            frames = Arrays.copyOf(frames, d * 2);
        }
        Frame f = frames[d];
        if (f == null || f.capacity < Math.max(params, results)) {
            f = new Frame(scratch, Math.max(8, Math.max(params, results)));
            frames[d] = f;
        }
        f.args.set(ValueLayout.JAVA_LONG, Layouts.VEC_SIZE, params);
        f.results.set(ValueLayout.JAVA_LONG, Layouts.VEC_SIZE, results);
        return f;
    }

    void pop() {
        depth--;
    }

    /**
     * Two {@code wasm_val_vec_t} headers over two value arrays. {@code argsPointer}/{@code resultsPointer} are the
     * same addresses without the arena's scope: passing a shared-arena segment to a downcall costs an atomic
     * acquire and release per argument on every call, and the arena only closes with the store, under its lock.
     */
    static final class Frame {
        final int capacity;
        final MemorySegment args;
        final MemorySegment results;
        final MemorySegment argVals;
        final MemorySegment resultVals;
        final MemorySegment argsPointer;
        final MemorySegment resultsPointer;

        Frame(Arena arena, int capacity) {
            this.capacity = capacity;
            long vec = Layouts.VEC.byteSize();
            long vals = (long) VAL * capacity;
            // One allocation, not four: a store's frame costs one malloc.
            MemorySegment block = arena.allocate(2 * vec + 2 * vals, 8);
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
        return "Store[" + engine.config().backend() + (isClosed() ? ", closed]" : "]");
    }
}
