package dev.wasmerffm.wasi;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a WASI program sees: its name, arguments, environment, directories and standard streams. A plain Java
 * builder; {@link WasiEnv#create} turns it into libwasmer's config.
 *
 * <p>Standard streams are captured by default: stdin is given as bytes, stdout and stderr are collected per
 * environment (up to {@link #maxOutput(int)} bytes each). Inheriting hands the guest the JVM's own descriptors,
 * which a server should not share between requests.
 */
public final class WasiConfig {

    private final String programName;
    private final List<String> args = new ArrayList<>();
    private final Map<String, String> env = new LinkedHashMap<>();
    private final List<Path> preopenDirs = new ArrayList<>();
    private final Map<String, Path> mappedDirs = new LinkedHashMap<>();
    private byte[] stdin = new byte[0];
    private boolean inheritStdin;
    private boolean inheritStdout;
    private boolean inheritStderr;
    private int maxOutput = 1 << 20;

    /** A config for a program (its {@code argv[0]}). */
    public WasiConfig(String programName) {
        this.programName = Objects.requireNonNull(programName, "programName");
    }

    /** Appends arguments after the program name. */
    public WasiConfig args(String... args) {
        this.args.addAll(List.of(args));
        return this;
    }

    /** Sets an environment variable. */
    public WasiConfig env(String key, String value) {
        if (key.isEmpty() || key.contains("=")) {
            throw new IllegalArgumentException("invalid environment variable name '" + key + "'");
        }
        env.put(key, Objects.requireNonNull(value, "value"));
        return this;
    }

    /** Makes a host directory visible to the guest under its own path. */
    public WasiConfig preopenDir(Path dir) {
        preopenDirs.add(existingDir(dir));
        return this;
    }

    /** Makes a host directory visible to the guest as {@code alias} (e.g. {@code /data}). */
    public WasiConfig mapDir(String alias, Path dir) {
        mappedDirs.put(Objects.requireNonNull(alias, "alias"), existingDir(dir));
        return this;
    }

    private static Path existingDir(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("not a directory: " + dir);
        }
        return dir.toAbsolutePath().normalize();
    }

    /** The bytes the guest reads from stdin. */
    public WasiConfig stdin(byte[] bytes) {
        this.stdin = bytes.clone();
        this.inheritStdin = false;
        return this;
    }

    /** Gives the guest the JVM's stdin. */
    public WasiConfig inheritStdin() {
        this.inheritStdin = true;
        return this;
    }

    /** Gives the guest the JVM's stdout instead of capturing it. */
    public WasiConfig inheritStdout() {
        this.inheritStdout = true;
        return this;
    }

    /** Gives the guest the JVM's stderr instead of capturing it. */
    public WasiConfig inheritStderr() {
        this.inheritStderr = true;
        return this;
    }

    /** The most bytes kept of captured stdout and of stderr (default 1 MiB); more is dropped and flagged. */
    public WasiConfig maxOutput(int bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("maxOutput must be >= 0");
        }
        this.maxOutput = bytes;
        return this;
    }

    String programName() {
        return programName;
    }

    List<String> args() {
        return Collections.unmodifiableList(args);
    }

    Map<String, String> env() {
        return Collections.unmodifiableMap(env);
    }

    List<Path> preopenDirs() {
        return Collections.unmodifiableList(preopenDirs);
    }

    Map<String, Path> mappedDirs() {
        return Collections.unmodifiableMap(mappedDirs);
    }

    byte[] stdin() {
        return stdin;
    }

    boolean inheritsStdin() {
        return inheritStdin;
    }

    boolean inheritsStdout() {
        return inheritStdout;
    }

    boolean inheritsStderr() {
        return inheritStderr;
    }

    int maxOutput() {
        return maxOutput;
    }
}
