package dev.wasmerffm.internal.store;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.wasmerffm.internal.Layouts;
import dev.wasmerffm.raw.LibWasi;
import dev.wasmerffm.raw.LibWasm;
import dev.wasmerffm.raw.LibWasmer;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.ref.Cleaner;
import java.util.ArrayList;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The native handles a store owns. libwasmer frees an object only with its store; a handle ({@code wasm_func_t},
 * an instance, an extern vec ...) holds the store alive and deleting it frees the handle alone. So a store keeps
 * every handle made in it and deletes them all when it closes, and an object closed or forgotten earlier only puts
 * its handle on a queue the store drains when no call runs in it: a close never frees under a running call, and a
 * Cleaner never waits for a busy store.
 */
public final class NativeResource {

    public static final Cleaner CLEANER = Cleaner.create();
    /** Native objects made and not yet freed, for leak checks. */
    public static final AtomicLong LIVE = new AtomicLong();

    private NativeResource() {}

    /** What a handle is, so the store knows how to delete it. */
    public enum Kind {
        FUNC,
        INSTANCE,
        MEMORY,
        GLOBAL,
        TABLE,
        EXTERN_VEC,
        NAMED_EXTERN_VEC,
        BYTE_VEC,
        WASI_ENV,
        REF
    }

    /** One native handle: a pointer, or a vec's data pointer and size. */
    public static final class Handle implements Runnable {
        public final Kind kind;
        public final long address;
        public final long count;
        private final Handles owner;
        // Guarded by the store's lock.
        private int index;
        private boolean freed;
        private volatile boolean released;

        private Handle(Handles owner, Kind kind, long address, long count, int index) {
            this.owner = owner;
            this.kind = kind;
            this.address = address;
            this.count = count;
            this.index = index;
        }

        /** Whether the store has freed it; caller holds the store lock. */
        public boolean isFreed() {
            return freed;
        }

        /** The Cleaner's release of a forgotten owner: only queues the handle, never waits for the store. */
        @Override
        public void run() {
            owner.release(this);
        }
    }

    /** Every live handle of one store, and those released since it last settled. */
    public static final class Handles {
        private final ArrayList<Handle> live = new ArrayList<>();
        private final ConcurrentLinkedQueue<Handle> released = new ConcurrentLinkedQueue<>();

        /** Records a new handle; caller holds the store lock. */
        public Handle add(Kind kind, long address, long count) {
            Handle h = new Handle(this, kind, address, count, live.size());
            live.add(h);
            LIVE.incrementAndGet();
            return h;
        }

        /** Queues a handle for freeing; any thread, never blocks, once per handle. */
        public void release(Handle h) {
            if (!h.released) {
                h.released = true;
                released.add(h);
            }
        }

        public boolean hasReleased() {
            return !released.isEmpty();
        }

        /** Frees the queued handles; caller holds the store lock and no call of the store runs. */
        public void drain() {
            for (Handle h; (h = released.poll()) != null; ) {
                free(h);
            }
        }

        /** Frees every handle, as the store closes; caller holds the store lock and no call runs. */
        public void freeAll() {
            released.clear();
            while (!live.isEmpty()) {
                free(live.getLast());
            }
        }

        private void free(Handle h) {
            if (h.freed) {
                return;
            }
            h.freed = true;
            Handle last = live.removeLast();
            if (last != h) {
                live.set(h.index, last);
                last.index = h.index;
            }
            LIVE.decrementAndGet();
            try {
                delete(h);
            } catch (Throwable ignored) {
                // the store's own free must go on; a failed handle delete leaks only that handle
            }
        }

        private static void delete(Handle h) {
            MemorySegment p = MemorySegment.ofAddress(h.address);
            switch (h.kind) {
                case FUNC -> LibWasm.wasm_func_delete(p);
                case INSTANCE -> LibWasm.wasm_instance_delete(p);
                case MEMORY -> LibWasm.wasm_memory_delete(p);
                case GLOBAL -> LibWasm.wasm_global_delete(p);
                case TABLE -> LibWasm.wasm_table_delete(p);
                case REF -> LibWasm.wasm_ref_delete(p);
                case WASI_ENV -> LibWasi.wasi_env_delete(p);
                case EXTERN_VEC, NAMED_EXTERN_VEC, BYTE_VEC -> {
                    try (Arena arena = Arena.ofConfined()) {
                        MemorySegment vec = arena.allocate(Layouts.VEC);
                        vec.set(JAVA_LONG, Layouts.VEC_SIZE, h.count);
                        vec.set(ADDRESS, Layouts.VEC_DATA, p);
                        switch (h.kind) {
                            case EXTERN_VEC -> LibWasm.wasm_extern_vec_delete(vec);
                            case NAMED_EXTERN_VEC -> LibWasmer.wasmer_named_extern_vec_delete(vec);
                            default -> LibWasm.wasm_byte_vec_delete(vec);
                        }
                    }
                }
            }
        }
    }
}
