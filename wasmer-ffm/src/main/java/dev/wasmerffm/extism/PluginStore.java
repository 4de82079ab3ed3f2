package dev.wasmerffm.extism;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

import dev.wasmerffm.ExportType;
import dev.wasmerffm.Func;
import dev.wasmerffm.FuncType;
import dev.wasmerffm.Imports;
import dev.wasmerffm.Instance;
import dev.wasmerffm.Memory;
import dev.wasmerffm.Store;
import dev.wasmerffm.wasi.WasiEnv;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.function.LongUnaryOperator;

/**
 * A plugin's store: the kernel, the guest (with WASI when it imports it) and the driver (see {@link Kernel}),
 * instantiated together. Replaced after a trap, since the guest's state may then be half-written.
 */
final class PluginStore implements AutoCloseable {

    private static final String[] INITIALIZERS = {"__wasm_call_ctors", "_initialize"};
    /** What an empty block reads as: a zero-length array can be shared, so an empty output allocates nothing. */
    private static final byte[] EMPTY = {};

    private final CompiledPlugin compiled;
    private final Store store;
    private final Instance kernel;
    private final Instance guest;
    private final Instance driver;
    private final Instance accessors;
    private final LongUnaryOperator begin;
    private final LongUnaryOperator run;
    private final LongUnaryOperator length;
    private final LongUnaryOperator alloc;
    private final LongUnaryOperator free;
    private final Memory kernelMemory;
    /** The kernel's memory as it was last seen; asked again when an offset lies beyond it (the memory grew). */
    private MemorySegment memory;
    /** The driver's status block (see {@link Kernel}). */
    private final MemorySegment status;

    private boolean initialized;
    /** {@link System#nanoTime()} when the running call's deadline passes, 0 for none. */
    long deadline;

    PluginStore(CompiledPlugin compiled, Plugin plugin) {
        this.compiled = compiled;
        this.store = new Store(compiled.engine).callTimeout(compiled.timeout).handOff(compiled.handOff);
        try {
            kernel = Instance.create(store, compiled.kernel, new Imports());
            accessors = Instance.create(
                    store,
                    compiled.accessors,
                    new Imports()
                            .define("k", "memory", kernel.memory("memory"))
                            .define("k", "alloc", kernel.func("alloc")));
            Imports env = new Imports();
            for (ExportType e : compiled.kernel.exports()) {
                if (e.type() instanceof FuncType) {
                    env.define(Kernel.ENV, e.name(), kernel.func(e.name()));
                }
            }
            for (String name : Kernel.ACCESSORS) {
                env.define(Kernel.ENV, name, accessors.func(name));
            }
            HostEnv.define(env, store, this, plugin);
            for (CompiledPlugin.Function f : compiled.functions) {
                env.define(
                        f.module(),
                        f.name(),
                        Func.host(
                                store,
                                f.type(),
                                c -> plugin.inHostFunction(() -> {
                                    f.fn().call(new PluginCall(c, this, plugin));
                                    return null;
                                })));
            }
            if (compiled.wasi != null) {
                guest = WasiEnv.create(store, compiled.wasi.get()).instantiate(compiled.guest, env);
            } else {
                guest = Instance.create(store, compiled.guest, env);
            }
            Imports d = new Imports();
            for (String k :
                    List.of("reset", "free", "length", "input_set", "output_offset", "output_length", "error_get")) {
                d.define("k", k, kernel.func(k));
            }
            d.define("k", "alloc", accessors.func("alloc"));
            for (int i = 0; i < compiled.entries.size(); i++) {
                d.define("g", Integer.toString(i), guest.func(compiled.entries.get(i)));
            }
            driver = Instance.create(store, compiled.driver, d);
            begin = driver.func("begin").asLongUnaryOperator();
            run = driver.func("run").asLongUnaryOperator();
            length = driver.func("length").asLongUnaryOperator();
            alloc = driver.func("alloc").asLongUnaryOperator();
            free = driver.func("free").asLongUnaryOperator();
            kernelMemory = kernel.memory("memory");
            memory = kernelMemory.segment();
            status = driver.memory("status").segment();
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
    }

    /** The points the last call used over the four instances (each gets the plugin's points per call); -1 unmetered. */
    long pointsUsed() {
        if (compiled.points <= 0) {
            return -1;
        }
        long used = 0;
        try {
            for (Instance i : new Instance[] {kernel, guest, driver, accessors}) {
                used += compiled.points - i.remainingPoints();
            }
        } catch (RuntimeException unknown) { // a statistic: it must not replace the call's own outcome
            return -1;
        }
        return used;
    }

    /** One call: input in, the guest's function, output (or the plugin's error) out. */
    byte[] call(String function, int entry, byte[] input) {
        if (compiled.points > 0) {
            kernel.remainingPoints(compiled.points);
            guest.remainingPoints(compiled.points);
            driver.remainingPoints(compiled.points);
            accessors.remainingPoints(compiled.points);
        }
        deadline = compiled.timeout.isZero() ? 0 : System.nanoTime() + compiled.timeout.toNanos();
        if (!initialized) {
            initialize();
        }
        long in = begin.applyAsLong(input.length);
        if (input.length > 0) {
            if (in == 0) {
                throw new PluginException(
                        function, 0, "oom: the kernel's memory cannot hold the input of " + input.length + " bytes");
            }
            MemorySegment.copy(input, 0, covering(in, input.length), JAVA_BYTE, in, input.length);
        }
        int rc = (int) run.applyAsLong(entry);
        long errorOffset = status.get(JAVA_LONG_UNALIGNED, 16);
        long errorLength = status.get(JAVA_LONG_UNALIGNED, 24);
        if (errorOffset != 0 && errorLength != 0) {
            throw new PluginException(
                    function, rc, new String(read(errorOffset, errorLength), java.nio.charset.StandardCharsets.UTF_8));
        }
        if (rc != 0) {
            throw new PluginException(function, rc, "returned non-zero exit code " + rc);
        }
        return read(status.get(JAVA_LONG_UNALIGNED, 0), status.get(JAVA_LONG_UNALIGNED, 8));
    }

    /** Runs the guest's runtime initializer once, as Extism does before the first call. */
    private void initialize() {
        for (String name : INITIALIZERS) {
            if (guest.export(name).orElse(null) instanceof Func f
                    && f.type().params().isEmpty()) {
                f.call();
                break;
            }
        }
        initialized = true;
    }

    /** The kernel's memory covering {@code [offset, offset + length)}. */
    private MemorySegment covering(long offset, long length) {
        long end = offset + length;
        if (offset < 0 || length < 0 || end < 0) {
            throw new PluginException("the block at " + offset + " of " + length + " bytes lies outside memory");
        }
        if (end > memory.byteSize()) {
            memory = kernelMemory.segment();
            if (end > memory.byteSize()) {
                throw new PluginException("the block at " + offset + " of " + length
                        + " bytes lies outside the kernel's memory of " + memory.byteSize() + " bytes");
            }
        }
        return memory;
    }

    byte[] read(long offset, long length) {
        if (length == 0) {
            return EMPTY;
        }
        if (length > Integer.MAX_VALUE - 8) {
            throw new PluginException("a block of " + length + " bytes is too large for a Java array");
        }
        byte[] out = new byte[(int) length];
        MemorySegment.copy(covering(offset, length), JAVA_BYTE, offset, out, 0, out.length);
        return out;
    }

    /** The block at {@code offset}; empty for offset 0. */
    byte[] read(long offset) {
        if (offset == 0) {
            return EMPTY;
        }
        long n = length.applyAsLong(offset);
        if (n == 0) {
            throw new PluginException("no memory block starts at offset " + offset + " of the kernel's memory");
        }
        return read(offset, n);
    }

    long write(byte[] data) {
        if (data.length == 0) {
            return 0;
        }
        long offset = alloc.applyAsLong(data.length);
        if (offset == 0) {
            throw new PluginException("oom: the kernel's memory cannot hold " + data.length + " more bytes");
        }
        MemorySegment.copy(data, 0, covering(offset, data.length), JAVA_BYTE, offset, data.length);
        return offset;
    }

    long length(long offset) {
        return length.applyAsLong(offset);
    }

    void free(long offset) {
        free.applyAsLong(offset);
    }

    /** {@link Store#stopCalls()} of the plugin's store. */
    void stopCalls() {
        store.stopCalls();
    }

    @Override
    public void close() {
        store.close();
    }
}
