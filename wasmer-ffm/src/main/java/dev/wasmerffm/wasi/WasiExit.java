package dev.wasmerffm.wasi;

import java.nio.charset.StandardCharsets;

/**
 * How a WASI program ended.
 *
 * @param exitCode its exit code; 0 is success
 * @param stdout what it wrote to stdout (empty when inherited)
 * @param stderr what it wrote to stderr (empty when inherited)
 * @param truncated whether output passed {@link WasiConfig#maxOutput(int)} and was cut
 */
public record WasiExit(int exitCode, byte[] stdout, byte[] stderr, boolean truncated) {

    /** Whether it exited with 0. */
    public boolean success() {
        return exitCode == 0;
    }

    /** stdout as UTF-8. */
    public String stdoutText() {
        return new String(stdout, StandardCharsets.UTF_8);
    }

    /** stderr as UTF-8. */
    public String stderrText() {
        return new String(stderr, StandardCharsets.UTF_8);
    }
}
