package dev.wasmerffm;

import dev.wasmerffm.internal.store.Lifetime;
import dev.wasmerffm.internal.store.NativeResource;
import java.lang.foreign.MemorySegment;

/**
 * Something a module imports or exports: a {@link Func}, {@link Global}, {@link Table} or {@link Memory}. Belongs
 * to one {@link Store}. An export is a view owned by its {@link Instance}; an extern made from Java owns itself.
 */
public abstract sealed class Extern implements AutoCloseable permits Func, Global, Table, Memory {

    final Store store;
    private final MemorySegment pointer;
    private final NativeResource.Handle own;
    /** What owns a view: an instance (its exports) or a WASI environment (its imports); null if none. */
    private final Lifetime owner;

    private volatile boolean closed;

    /** An extern owning its handle, which the store frees when it closes (or earlier, after {@link #close()}). */
    Extern(Store store, NativeResource.Kind kind, MemorySegment pointer) {
        if (pointer.equals(MemorySegment.NULL)) {
            throw new IllegalArgumentException("NULL " + kind);
        }
        this.store = store;
        this.pointer = pointer;
        this.own = store.state.handles.add(kind, pointer.address(), 0);
        this.owner = null;
        NativeResource.CLEANER.register(this, own);
    }

    /** A view of an instance's export (or a WASI import), valid while its owner is open. */
    Extern(Store store, MemorySegment pointer, Lifetime owner) {
        this.store = store;
        this.pointer = pointer;
        this.own = null;
        this.owner = owner;
    }

    /**
     * The pointer for a native call; the caller holds the store lock (so the native store is alive). Refused once
     * this extern or its owner was closed, even while a deferred free has not happened yet.
     */
    final MemorySegment pointer() {
        if (closed || owner != null && owner.isClosed()) {
            throw new IllegalStateException(getClass().getSimpleName() + " is closed");
        }
        return pointer;
    }

    /** The pointer without the closed check: for a running call to finish after a close was asked. */
    final MemorySegment rawPointer() {
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
        return closed || store.isClosed() || owner != null && owner.isClosed();
    }

    /**
     * Makes this Java object unusable. An extern made from Java also gives back its handle (now, or when the
     * store's running call returns); the object itself (a memory's pages, a function's code) lives until the store
     * closes, as in libwasmer. For an export, only this view becomes unusable.
     */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            if (own != null) {
                store.release(own);
            }
        }
    }

    /** Runs {@code body} with the lock held and this extern checked open. */
    final <T> T locked(java.util.function.Function<MemorySegment, T> body) {
        return store.locked(this::pointer, body);
    }
}
