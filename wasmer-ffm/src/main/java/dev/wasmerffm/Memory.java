package dev.wasmerffm;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import dev.wasmerffm.internal.store.LastError;
import dev.wasmerffm.internal.store.Lifetime;
import dev.wasmerffm.internal.store.NativeResource;
import dev.wasmerffm.raw.LibWasm;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;

/**
 * A linear memory. Reads and writes are bounds-checked against the current size and always use the current base
 * address, so they stay correct after {@link #grow}, whether Java or wasm grew it.
 */
public final class Memory extends Extern {

    /** Bytes per wasm page. */
    public static final long PAGE_SIZE = 65536;

    /** An instance's export. */
    Memory(Store store, MemorySegment memory, Lifetime owner) {
        super(store, memory, owner);
    }

    private Memory(Store store, MemorySegment memory) {
        super(store, NativeResource.Kind.MEMORY, memory);
    }

    /** A new memory in a store, to pass as an import. */
    public static Memory create(Store store, MemoryType type) {
        MemorySegment s = store.enter();
        try (Arena arena = Arena.ofConfined()) {
            store.reserveMemories(1);
            MemorySegment mt = LibWasm.wasm_memorytype_new(Types.limits(arena, type.limits()));
            try {
                MemorySegment m = LibWasm.wasm_memory_new(s, mt);
                if (m.equals(MemorySegment.NULL)) {
                    throw new WasmerException("cannot create memory " + type + ": " + LastError.take("unknown"));
                }
                return new Memory(store, m);
            } finally {
                LibWasm.wasm_memorytype_delete(mt);
            }
        } finally {
            store.exit();
        }
    }

    @Override
    MemorySegment asExtern() {
        return LibWasm.wasm_memory_as_extern(pointer());
    }

    @Override
    public ExternKind kind() {
        return ExternKind.MEMORY;
    }

    /** Its current type ({@code wasm_memory_type}): the minimum is the current size in pages. */
    @Override
    public MemoryType type() {
        return locked(m -> {
            MemorySegment t = LibWasm.wasm_memory_type(m);
            try {
                return Types.memoryType(t);
            } finally {
                LibWasm.wasm_memorytype_delete(t);
            }
        });
    }

    /** Current size in pages. */
    public long pages() {
        return locked(m -> Integer.toUnsignedLong(LibWasm.wasm_memory_size(m)));
    }

    /** Current size in bytes. */
    public long dataSize() {
        return locked(LibWasm::wasm_memory_data_size);
    }

    /**
     * Grows by {@code deltaPages}.
     *
     * @return false if that would pass the maximum (nothing changes)
     */
    public boolean grow(long deltaPages) {
        if (deltaPages < 0 || deltaPages > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("deltaPages out of range: " + deltaPages);
        }
        return locked(m -> {
            boolean grown = LibWasm.wasm_memory_grow(m, (int) deltaPages);
            if (!grown) {
                LastError.take(null);
            }
            return grown;
        });
    }

    /**
     * A zero-copy view of the whole memory as it is now. Wasmer reserves the memory's address range up front, so
     * the view's base stays valid while the store lives; after a grow it covers only the old size: ask again. The
     * view (and any {@code ByteBuffer} made from it) belongs to the store: once the store is closed every access
     * throws {@link IllegalStateException}. It is not locked: use it on the thread using the store.
     */
    public MemorySegment segment() {
        return locked(m ->
                LibWasm.wasm_memory_data(m).reinterpret(LibWasm.wasm_memory_data_size(m), store.state.views(), null));
    }

    /** The whole memory with no scope, for the binding's own host functions: valid until their call returns. */
    MemorySegment unscoped() {
        return locked(Memory::view);
    }

    private static MemorySegment view(MemorySegment m) {
        return LibWasm.wasm_memory_data(m).reinterpret(LibWasm.wasm_memory_data_size(m));
    }

    /** Copies {@code length} bytes at {@code offset} out of the memory. */
    public byte[] read(long offset, int length) {
        byte[] out = new byte[length];
        read(offset, out, 0, length);
        return out;
    }

    /** Copies bytes at {@code offset} into {@code dst[dstOffset, dstOffset + length)}. */
    public void read(long offset, byte[] dst, int dstOffset, int length) {
        locked(m -> {
            MemorySegment.copy(view(m), JAVA_BYTE, offset, dst, dstOffset, length);
            return null;
        });
    }

    /** Fills {@code dst} from its position to its limit with the bytes at {@code offset}. */
    public void read(long offset, ByteBuffer dst) {
        locked(m -> {
            int n = dst.remaining();
            MemorySegment.ofBuffer(dst).copyFrom(view(m).asSlice(offset, n));
            dst.position(dst.position() + n);
            return null;
        });
    }

    /** Copies {@code src} into the memory at {@code offset}. */
    public void write(long offset, byte[] src) {
        write(offset, src, 0, src.length);
    }

    /** Copies {@code src[srcOffset, srcOffset + length)} into the memory at {@code offset}. */
    public void write(long offset, byte[] src, int srcOffset, int length) {
        locked(m -> {
            MemorySegment.copy(src, srcOffset, view(m), JAVA_BYTE, offset, length);
            return null;
        });
    }

    /** Copies the remaining bytes of {@code src} into the memory at {@code offset}. */
    public void write(long offset, ByteBuffer src) {
        locked(m -> {
            int n = src.remaining();
            view(m).asSlice(offset, n).copyFrom(MemorySegment.ofBuffer(src));
            src.position(src.position() + n);
            return null;
        });
    }

    @Override
    public String toString() {
        return "Memory";
    }
}
