package dev.wasmerffm;

import java.util.List;

/**
 * Wasm code trapped. Carries the trap's message, its kind and its wasm stack frames (innermost first). When a host
 * function threw, {@link #getCause()} is exactly what it threw. The store stays usable.
 */
public class TrapException extends WasmerException {

    private final TrapKind kind;
    private final String trapMessage;
    private final transient List<TrapFrame> frames;

    TrapException(TrapKind kind, String where, String trapMessage, List<TrapFrame> frames, Throwable cause) {
        super(where + " trapped: " + trapMessage + (frames.isEmpty() ? "" : " at " + frames), cause);
        this.kind = kind;
        this.trapMessage = trapMessage;
        this.frames = List.copyOf(frames);
    }

    /** Why it trapped. */
    public TrapKind kind() {
        return kind;
    }

    /** libwasmer's trap message. */
    public String trapMessage() {
        return trapMessage;
    }

    /** The wasm frames, innermost first; the first is the trap's origin. */
    public List<TrapFrame> frames() {
        return frames;
    }
}
