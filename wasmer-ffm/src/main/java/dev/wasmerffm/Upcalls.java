package dev.wasmerffm;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.wasmerffm.internal.Layouts;
import dev.wasmerffm.internal.Native;
import dev.wasmerffm.internal.store.LastError;
import dev.wasmerffm.raw.LibWasm;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.ref.WeakReference;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The host-function registry: the single upcall entry for every host function, the env ids that lead it to its
 * store and {@link Host}, and the finalizer of their environments.
 */
final class Upcalls {

    /** A host function's Java side; its store holds it, at the index its native env id carries. */
    static final class Host {
        final HostFunction fn;
        /** The native signature: {@link #declared} with each v128 as two i64s. */
        final FuncType type;
        /** The signature the host function was declared with, as {@link HostCall} presents it. */
        final FuncType declared;
        /** The native value index of each declared parameter, then each result; null without v128. */
        final int[] slots;

        final String name;
        /** The instance importing this copy, once it exists; null for the function called from Java. */
        volatile Instance caller;

        Host(HostFunction fn, FuncType declared, String name) {
            this.fn = fn;
            this.declared = declared;
            this.type = declared.hasV128() ? V128Adapters.lowered(declared) : declared;
            this.slots = declared.hasV128() ? V128Adapters.slots(declared) : null;
            this.name = name;
        }
    }

    /**
     * What an env id stands for. Holds its store weakly and the host function not at all (the store does): a
     * host lambda capturing its store must not keep it reachable from this static map.
     */
    record Binding(WeakReference<Store> store, int index, long storeAddress) {}

    /** Host functions deeper than this on one thread are refused, before the stack runs out. */
    static final int MAX_REENTRY = 100;

    static final Map<Long, Binding> BINDINGS = new ConcurrentHashMap<>();
    static final AtomicLong NEXT_ID = new AtomicLong();

    static final MemorySegment CALLBACK;
    static final MemorySegment FINALIZER;

    static {
        try {
            var lookup = MethodHandles.lookup();
            // Pointers as 64-bit integers (LP64): ADDRESS parameters would make the stub allocate three
            // segments on every call; this callback needs only their addresses.
            CALLBACK = Native.LINKER.upcallStub(
                    lookup.findStatic(
                            Upcalls.class,
                            "callback",
                            MethodType.methodType(long.class, long.class, long.class, long.class)),
                    FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG),
                    Arena.global());
            FINALIZER = Native.LINKER.upcallStub(
                    lookup.findStatic(
                            Upcalls.class, "finalizer", MethodType.methodType(void.class, MemorySegment.class)),
                    Layouts.FINALIZER,
                    Arena.global());
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private Upcalls() {}

    /** A native function for {@code h} in {@code store}, as an owned handle; caller holds the lock. */
    static MemorySegment newNative(Store store, Host h) {
        long id = NEXT_ID.incrementAndGet();
        MemorySegment functype = Types.toNative(h.type);
        MemorySegment func;
        try {
            func = LibWasm.wasm_func_new_with_env(
                    store.address(), functype, CALLBACK, MemorySegment.ofAddress(id), FINALIZER);
        } finally {
            LibWasm.wasm_functype_delete(functype);
        }
        if (func.equals(MemorySegment.NULL)) {
            throw new WasmerException("cannot create host function " + h.type + ": " + LastError.take("unknown"));
        }
        store.hosts.add(h);
        store.fillReserveTrap();
        BINDINGS.put(
                id,
                new Binding(
                        new WeakReference<>(store),
                        store.hosts.size() - 1,
                        store.address().address()));
        return func;
    }

    /** Whether this thread is running a host function (so it holds some store's lock). */
    static boolean inHostFunction() {
        return CallThread.current().hostDepth > 0;
    }

    /**
     * Never throws: an exception escaping an upcall ends the JVM. The catch path only stores the throwable and
     * hands back the store's reserve trap, with no allocation and no downcall: it may run with the stack
     * nearly exhausted (a StackOverflowError in the host function). Under a deadline that has passed, the host
     * function does not start, and one that returns past it does not return to wasm: the call ends
     * ({@link Deadline#STOP}).
     */
    static long callback(long env, long args, long results) {
        Store.Native st = null;
        CallThread depth = null;
        try {
            Binding b = BINDINGS.get(env);
            Store store = b == null ? null : b.store().get();
            if (store == null) {
                throw new IllegalStateException("host function " + env + " no longer exists");
            }
            st = store.state;
            CallThread thread = CallThread.current();
            if (thread.hostDepth >= MAX_REENTRY) {
                throw new ReentryLimitException("host functions nest " + MAX_REENTRY + " deep on this thread"
                        + " (wasm calling Java calling wasm ...); refused before the stack runs out");
            }
            thread.hostDepth++;
            depth = thread;
            Host h = store.hosts.get(b.index());
            FuncType t = h.type;
            long argVals = Vals.NATIVE.get(JAVA_LONG, args + Layouts.VEC_DATA);
            long resultVals = Vals.NATIVE.get(JAVA_LONG, results + Layouts.VEC_DATA);
            // Pre-set every result to zero of its declared kind: an unset result reads as 0.
            for (int i = 0; i < t.results().size(); i++) {
                Vals.NATIVE.set(JAVA_BYTE, resultVals + i * Vals.SIZE, (byte)
                        t.results().get(i).kind());
                Vals.NATIVE.set(JAVA_LONG, resultVals + i * Vals.SIZE + Layouts.VAL_PAYLOAD, 0L);
            }
            HostCall call = new HostCall(store, h, argVals, resultVals);
            Deadline deadline = store.deadline;
            boolean fromWasm = deadline != null && deadline.hostEnters();
            try {
                if (deadline != null) {
                    deadline.check();
                }
                h.fn.call(call);
            } finally {
                call.end();
                if (fromWasm) {
                    deadline.hostExits();
                }
            }
            if (deadline != null) {
                deadline.check();
            }
            return 0;
        } catch (Throwable e) {
            if (st != null) {
                st.pending = e;
                long trap = st.reserveTrap;
                if (trap != 0) {
                    st.reserveTrap = 0;
                    return trap;
                }
            }
            return Traps.fallbackTrap(env);
        } finally {
            if (depth != null) {
                depth.hostDepth--;
            }
        }
    }

    static void finalizer(MemorySegment env) {
        try {
            BINDINGS.remove(env.address());
        } catch (Throwable ignored) {
            // nothing may escape an upcall
        }
    }
}
