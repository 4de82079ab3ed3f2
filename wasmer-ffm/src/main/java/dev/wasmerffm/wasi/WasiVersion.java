package dev.wasmerffm.wasi;

/** The WASI version a module imports ({@code wasi_version_t}). */
public enum WasiVersion {
    /** Not a WASI module. */
    INVALID,
    /** {@code wasi_unstable}. */
    SNAPSHOT0,
    /** {@code wasi_snapshot_preview1}. */
    SNAPSHOT1,
    /** WASIX, 32-bit. */
    WASIX32V1,
    /** WASIX, 64-bit. */
    WASIX64V1;

    static WasiVersion of(int code) {
        return switch (code) {
            case 1 -> SNAPSHOT0;
            case 2 -> SNAPSHOT1;
            case 3 -> WASIX32V1;
            case 4 -> WASIX64V1;
            default -> INVALID;
        };
    }
}
