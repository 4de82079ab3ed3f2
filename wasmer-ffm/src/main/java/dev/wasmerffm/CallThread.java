package dev.wasmerffm;

/**
 * What the binding keeps per thread that runs wasm: how deep host functions nest on it, and the deadline its
 * innermost running call is under, which a call into another store from a host function inherits.
 */
final class CallThread {

    private static final ThreadLocal<CallThread> CURRENT = ThreadLocal.withInitial(CallThread::new);

    /** How many host functions are running on this thread, one inside the other. */
    int hostDepth;
    /** The armed deadline of the innermost call running on this thread, null for none. */
    Deadline deadline;

    private CallThread() {}

    static CallThread current() {
        return CURRENT.get();
    }
}
