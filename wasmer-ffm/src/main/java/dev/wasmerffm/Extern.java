package dev.wasmerffm;

import java.lang.foreign.MemorySegment;
import java.util.function.Consumer;

/**
 * Something a module imports or exports: a {@link Func}, {@link Global}, {@link Table} or {@link Memory}. Belongs
 * to one {@link Store}. An export is a view owned by its {@link Instance}; an extern made from Java owns itself.
 */
public abstract sealed class Extern implements AutoCloseable permits Func, Global, Table, Memory {

    final Store store;
    private final MemorySegment pointer;
    private final NativeResource own;
    private final Owner owner;
    private volatile boolean viewClosed;

    /** An extern owning its pointer, freed by {@code deleter} under the store's lock. */
    Extern(Store store, String what, MemorySegment pointer, Consumer<MemorySegment> deleter) {
        this.store = store;
        this.pointer = pointer;
        this.own = new NativeResource(this, what, pointer, store.lock, deleter);
        this.owner = null;
    }

    /** What owns a view: an instance (its exports) or a WASI environment (its imports). */
    interface Owner {
        void checkOpen();

        boolean isClosed();
    }

    /** A view of an instance's export (or a WASI import), valid while its owner is open. */
    Extern(Store store, MemorySegment pointer, Owner owner) {
        this.store = store;
        this.pointer = pointer;
        this.own = null;
        this.owner = owner;
    }

    /** The pointer for a native call; the caller holds the store lock (so the store is open). */
    final MemorySegment pointer() {
        if (own != null) {
            return own.address();
        }
        if (viewClosed) {
            throw new IllegalStateException(getClass().getSimpleName() + " is closed");
        }
        owner.checkOpen();
        return pointer;
    }

    /** The {@code wasm_extern_t*} view of the pointer; caller holds the store lock. */
    abstract MemorySegment asExtern();

    /** The store this extern belongs to. */
    public final Store store() {
        return store;
    }

    /** Its type. */
    public abstract ExternType type();

    /** Its kind. */
    public abstract ExternKind kind();

    /** Whether this extern (or the instance or store it belongs to) is closed. */
    public final boolean isClosed() {
        return store.isClosed() || (own != null ? own.isClosed() : viewClosed || owner.isClosed());
    }

    /** Frees an extern made from Java; for an export, only this view becomes unusable. */
    @Override
    public void close() {
        if (own != null) {
            own.close(); // the free itself waits for the store's lock
        } else {
            viewClosed = true;
        }
    }

    /** Runs {@code body} with the lock held and this extern checked open. */
    final <T> T locked(java.util.function.Function<MemorySegment, T> body) {
        store.enter();
        try {
            return body.apply(pointer());
        } finally {
            store.exit();
        }
    }
}
