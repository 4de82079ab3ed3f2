package dev.wasmerffm;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.wasmerffm.internal.Layouts;

/**
 * The arguments and results of one host function call, and the caller's context. Valid only during the call: kept
 * and used afterwards it throws {@link IllegalStateException} (libwasmer's value arrays are gone by then). Typed
 * getters and setters check the signature, so a wrong one throws instead of corrupting the call.
 */
public final class HostCall {

    private static final long P = Layouts.VAL_PAYLOAD;

    private final Store store;
    private final Upcalls.Host host;
    private final FuncType type;
    /** Addresses of libwasmer's argument and result {@code wasm_val_t} arrays. */
    private final long args;

    private final long results;
    private boolean done;

    HostCall(Store store, Upcalls.Host host, long args, long results) {
        this.store = store;
        this.host = host;
        this.type = host.declared;
        this.args = args;
        this.results = results;
    }

    /** Ends the call: from now on every access throws. */
    void end() {
        done = true;
    }

    /** The signature of the function being called. */
    public FuncType type() {
        return type;
    }

    /** The store the call runs in. */
    public Store store() {
        return store;
    }

    /**
     * The instance that imported the called function (each importing instance gets a copy of its own); {@code null}
     * when the function was called directly from Java, through a table or global, or during instantiation.
     */
    public Instance caller() {
        live();
        return host.caller;
    }

    /** The calling instance's exported memory named {@code memory}, for passing data through linear memory. */
    public Memory memory() {
        Instance caller = caller();
        if (caller == null) {
            throw new IllegalStateException(
                    "no calling instance: " + host.name + " was not called by an instance" + " importing it");
        }
        return caller.memory("memory");
    }

    private void live() {
        if (done) {
            throw new IllegalStateException("HostCall of " + host.name + " used after its call returned");
        }
    }

    private long at(int i, ValType expected, boolean result) {
        live();
        var list = result ? type.results() : type.params();
        if (i < 0 || i >= list.size()) {
            throw new IndexOutOfBoundsException((result ? "result " : "parameter ") + i + " of " + type);
        }
        if (expected != null && list.get(i) != expected) {
            throw new WasmArgumentException((result ? "result " : "parameter ") + i + " of " + type + " is "
                    + list.get(i) + ", not " + expected);
        }
        int[] slots = host.slots; // v128 values take two native slots
        return (slots == null ? i : slots[result ? type.params().size() + i : i]) * Vals.SIZE;
    }

    /** Parameter {@code i} as i32. */
    public int i32(int i) {
        return Vals.NATIVE.get(JAVA_INT, args + at(i, ValType.I32, false) + P);
    }

    /** Parameter {@code i} as i64. */
    public long i64(int i) {
        return Vals.NATIVE.get(JAVA_LONG, args + at(i, ValType.I64, false) + P);
    }

    /** Parameter {@code i} as f32. */
    public float f32(int i) {
        return Vals.NATIVE.get(JAVA_FLOAT, args + at(i, ValType.F32, false) + P);
    }

    /** Parameter {@code i} as f64. */
    public double f64(int i) {
        return Vals.NATIVE.get(JAVA_DOUBLE, args + at(i, ValType.F64, false) + P);
    }

    /** Parameter {@code i} as v128, from its two i64 lanes. */
    public V128 v128(int i) {
        long o = args + at(i, ValType.V128, false) + P;
        return new V128(Vals.NATIVE.get(JAVA_LONG, o), Vals.NATIVE.get(JAVA_LONG, o + Vals.SIZE));
    }

    /** Parameter {@code i} boxed: Integer, Long, Float, Double, {@link V128}, a {@link Func}, a host object or null. */
    public Object param(int i) {
        if (i >= 0 && i < type.params().size() && type.params().get(i) == ValType.V128) {
            return v128(i);
        }
        return Vals.read(Vals.NATIVE, args + at(i, null, false), type.params().get(i), store, false);
    }

    /** All parameters, boxed. */
    public Object[] params() {
        live();
        Object[] out = new Object[type.params().size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = param(i);
        }
        return out;
    }

    /** Sets result {@code i} (i32). */
    public HostCall result(int i, int value) {
        long o = results + at(i, ValType.I32, true);
        Vals.NATIVE.set(JAVA_BYTE, o, (byte) ValType.I32.kind());
        Vals.NATIVE.set(JAVA_INT, o + P, value);
        return this;
    }

    /** Sets result {@code i} (i64). */
    public HostCall result(int i, long value) {
        long o = results + at(i, ValType.I64, true);
        Vals.NATIVE.set(JAVA_BYTE, o, (byte) ValType.I64.kind());
        Vals.NATIVE.set(JAVA_LONG, o + P, value);
        return this;
    }

    /** Sets result {@code i} (f32). */
    public HostCall result(int i, float value) {
        long o = results + at(i, ValType.F32, true);
        Vals.NATIVE.set(JAVA_BYTE, o, (byte) ValType.F32.kind());
        Vals.NATIVE.set(JAVA_FLOAT, o + P, value);
        return this;
    }

    /** Sets result {@code i} (f64). */
    public HostCall result(int i, double value) {
        long o = results + at(i, ValType.F64, true);
        Vals.NATIVE.set(JAVA_BYTE, o, (byte) ValType.F64.kind());
        Vals.NATIVE.set(JAVA_DOUBLE, o + P, value);
        return this;
    }

    /** Sets result {@code i} (v128), as its two i64 lanes. */
    public HostCall result(int i, V128 value) {
        long o = results + at(i, ValType.V128, true);
        for (int lane = 0; lane < 2; lane++) {
            Vals.NATIVE.set(JAVA_BYTE, o + lane * Vals.SIZE, (byte) ValType.I64.kind());
            Vals.NATIVE.set(JAVA_LONG, o + lane * Vals.SIZE + P, value.i64(lane));
        }
        return this;
    }

    /** Sets result {@code i} from a boxed value of the declared type (references included). */
    public HostCall resultValue(int i, Object value) {
        long o = results + at(i, null, true);
        ValType t = type.results().get(i);
        if (!Vals.fits(t, value, store)) {
            throw Vals.rejected(t, value, "result " + i + " of " + host.name);
        }
        if (value instanceof V128 v) {
            return result(i, v);
        }
        // libwasmer takes the refs of host results, so they are not freed here.
        Vals.write(Vals.NATIVE, o, t, value, store, null);
        return this;
    }

    /** Sets all results from boxed values. */
    public HostCall results(Object... values) {
        if (values.length != type.results().size()) {
            throw new WasmArgumentException(
                    host.name + " must return " + type.results().size() + " values, got " + values.length);
        }
        for (int i = 0; i < values.length; i++) {
            resultValue(i, values[i]);
        }
        return this;
    }
}
