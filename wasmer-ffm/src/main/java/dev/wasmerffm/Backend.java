package dev.wasmerffm;

import dev.wasmerffm.internal.NativeJar;
import dev.wasmerffm.raw.LibWasmer;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** A Wasmer compiler backend ({@code wasmer_backend_t}). */
public enum Backend {
    /** Cranelift: fast compile, good code; the default. */
    CRANELIFT(LibWasmer.wasmer_backend_t.CRANELIFT),
    /** LLVM: slowest compile, fastest code; only in libwasmer builds with LLVM. */
    LLVM(LibWasmer.wasmer_backend_t.LLVM),
    /**
     * Singlepass: linear-time compile for untrusted input; no SIMD. Not in the default platform jar: Wasmer licenses
     * it under the Business Source License 1.1, and it comes with the jar {@code wasmer-native:<platform>-singlepass}.
     */
    SINGLEPASS(LibWasmer.wasmer_backend_t.SINGLEPASS),
    /** Headless: runs precompiled artifacts only. */
    HEADLESS(LibWasmer.wasmer_backend_t.HEADLESS),
    /** V8: only in libwasmer builds with V8. */
    V8(LibWasmer.wasmer_backend_t.V8);

    private final int code;

    Backend(int code) {
        this.code = code;
    }

    int code() {
        return code;
    }

    /** Whether the loaded libwasmer was built with this backend. */
    public boolean isAvailable() {
        WasmerLibrary.load();
        return LibWasmer.wasmer_is_backend_available(code);
    }

    /** What would make this backend available when the loaded libwasmer lacks it. */
    String remedy() {
        return switch (this) {
            case SINGLEPASS ->
                "add the jar " + NativeJar.coordinates(NativeJar.platform() + NativeJar.SINGLEPASS)
                        + " (Wasmer's singlepass compiler, Business Source License 1.1: production use only for Wasmer"
                        + " sponsors, see its README)";
            case CRANELIFT, LLVM, HEADLESS, V8 ->
                "use a libwasmer built with " + this + " (wasmer.library.path or WASMER_DIR)";
        };
    }

    /** The backends the loaded libwasmer offers. */
    public static List<Backend> available() {
        return Arrays.stream(values()).filter(Backend::isAvailable).toList();
    }

    /** Parses a backend name, case-insensitively. */
    public static Backend of(String name) {
        try {
            return valueOf(name.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "unknown Wasmer backend '" + name + "'; known: "
                            + Arrays.toString(values()).toLowerCase(Locale.ROOT),
                    e);
        }
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
