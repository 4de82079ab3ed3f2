package dev.wasmerffm.internal.store;

import dev.wasmerffm.raw.LibWasmer;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/** libwasmer's last error. It is thread-local: read it on the failing thread, right after the failing call. */
public final class LastError {

    private LastError() {}

    /** Takes (and clears) the last error message of this thread, or {@code fallback} if there is none. */
    public static String take(String fallback) {
        int length = LibWasmer.wasmer_last_error_length();
        if (length <= 0) {
            return fallback;
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buffer = arena.allocate(length);
            int written = LibWasmer.wasmer_last_error_message(buffer, length);
            return written > 0 ? buffer.getString(0) : fallback;
        }
    }
}
