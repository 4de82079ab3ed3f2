package dev.wasmerffm;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Why wasm code trapped. */
public enum TrapKind {
    /** An {@code unreachable} instruction ran. */
    UNREACHABLE("unreachable"),
    /** A load or store outside linear memory. */
    MEMORY_OUT_OF_BOUNDS("out of bounds memory access"),
    /** A misaligned atomic or memory access. */
    MISALIGNED_MEMORY_ACCESS("misaligned memory access"),
    /** A table access outside the table. */
    TABLE_OUT_OF_BOUNDS("out of bounds table access"),
    /** {@code call_indirect} to a null table element. */
    UNINITIALIZED_ELEMENT("uninitialized element"),
    /** {@code call_indirect} to a function of another signature. */
    INDIRECT_CALL_TYPE_MISMATCH("indirect call type mismatch"),
    /** Integer division or remainder by zero. */
    INTEGER_DIVIDE_BY_ZERO("integer divide by zero"),
    /** Integer overflow, e.g. {@code INT_MIN / -1}. */
    INTEGER_OVERFLOW("integer overflow"),
    /** A float that cannot be converted to an integer. */
    BAD_CONVERSION_TO_INTEGER("invalid conversion to integer"),
    /** The wasm call stack is exhausted (deep or infinite recursion). */
    STACK_OVERFLOW("call stack exhausted"),
    /** An unaligned atomic access. */
    UNALIGNED_ATOMIC("unaligned atomic"),
    /** A host function threw; the {@link TrapException}'s cause is what it threw. */
    HOST(null),
    /** The instance ran out of metering points. */
    OUT_OF_POINTS(null),
    /** The call's deadline passed ({@link DeadlineExceededException}). */
    DEADLINE_EXCEEDED(null),
    /** Anything else. */
    OTHER(null);

    private final String marker;

    TrapKind(String marker) {
        this.marker = marker;
    }

    /** libwasmer's text for a WASI {@code proc_exit} (e.g. "WASI exited with code: 3"). */
    private static final Pattern EXIT = Pattern.compile("(?i)exit(?:ed)?[^0-9]*(\\d+)");

    // libwasmer reports traps and WASI exits only as message text: this class is the one place that reads it.

    /** The exit code of a trap that is a WASI {@code proc_exit}, or -1 if the trap is something else. */
    static int wasiExitCode(TrapException trap) {
        Matcher m = EXIT.matcher(trap.trapMessage());
        return trap.kind() == OTHER && m.find() ? Integer.parseInt(m.group(1)) : -1;
    }

    /** Classifies a libwasmer trap message. */
    static TrapKind of(String message) {
        String m = message.toLowerCase(Locale.ROOT);
        for (TrapKind k : values()) {
            if (k.marker != null && m.contains(k.marker)) {
                return k;
            }
        }
        return OTHER;
    }
}
