package dev.wasmerffm;

import dev.wasmerffm.internal.NativeJar;
import dev.wasmerffm.internal.store.LastError;
import dev.wasmerffm.internal.wasm.Bytes;
import dev.wasmerffm.raw.LibWasmer;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * A compilation target: a target triple and CPU features ({@code wasmer_target_t}). Modules compiled for another
 * target can be serialized for that machine but not run here.
 *
 * <p>An x86_64 target always has {@code sse2}, part of the architecture's baseline (libwasmer's Cranelift aborts the
 * process without it), so {@code Target.host()} on x86_64 means the host with SSE2 and nothing more.
 *
 * @param triple the target triple, e.g. {@code aarch64-unknown-linux-gnu}; null for this host
 * @param cpuFeatures CPU feature names such as {@code sse2} or {@code avx2}, sorted
 */
public record Target(String triple, Set<String> cpuFeatures) {

    /** The x86 features libwasmer knows; {@code neon} is its only other one, an ARM feature. */
    private static final Set<String> X86_FEATURES = Set.of(
            "sse2",
            "sse3",
            "ssse3",
            "sse4.1",
            "sse4.2",
            "popcnt",
            "avx",
            "bmi",
            "bmi2",
            "avx2",
            "fma",
            "avx512dq",
            "avx512vl",
            "avx512f",
            "lzcnt");

    /**
     * Checks both against libwasmer now, so a typo fails here with a clear message, and each CPU feature against the
     * architecture: Cranelift aborts the process when asked for an x86 feature on another architecture.
     *
     * @throws IllegalArgumentException for an unknown triple or CPU feature, or a feature of another architecture
     */
    public Target {
        cpuFeatures = new TreeSet<>(cpuFeatures); // sorted: the same target reads the same in every process
        toNative(triple, cpuFeatures).free();
        String arch = archOf(triple);
        boolean x86 = arch.startsWith("x86_64") || arch.matches("i[3-6]86");
        boolean arm = arch.startsWith("aarch64") || arch.startsWith("arm") || arch.startsWith("thumb");
        for (String f : cpuFeatures) {
            if (X86_FEATURES.contains(f) ? !x86 : !arm) {
                throw new IllegalArgumentException("CPU feature '" + f + "' is an "
                        + (X86_FEATURES.contains(f) ? "x86" : "ARM") + " feature, the target's architecture is "
                        + arch);
            }
        }
        if (arch.startsWith("x86_64")) {
            cpuFeatures.add("sse2");
        }
        cpuFeatures = Collections.unmodifiableSet(cpuFeatures);
    }

    /** This host, with the given CPU features. */
    public static Target host(String... cpuFeatures) {
        return new Target(null, Set.of(cpuFeatures));
    }

    /** A triple, with the given CPU features. */
    public static Target of(String triple, String... cpuFeatures) {
        return new Target(Objects.requireNonNull(triple, "triple"), Set.of(cpuFeatures));
    }

    /** Whether this is the host triple. */
    public boolean isHost() {
        return triple == null;
    }

    /** The CPU architecture in target-triple spelling ({@code x86_64}, {@code aarch64} for {@code arm64} too). */
    String arch() {
        return archOf(triple);
    }

    /** The architecture of a triple, or of this host for null. */
    static String archOf(String triple) {
        if (triple == null) {
            return NativeJar.hostArch();
        }
        String arch = triple.substring(0, triple.indexOf('-') < 0 ? triple.length() : triple.indexOf('-'));
        return arch.equals("arm64") ? "aarch64" : arch;
    }

    /** Native triple and CPU features, made and validated; {@link Native#target()} consumes both. */
    record Native(MemorySegment triple, MemorySegment cpu) {
        MemorySegment target() {
            return LibWasmer.wasmer_target_new(triple, cpu);
        }

        void free() {
            LibWasmer.wasmer_triple_delete(triple);
            LibWasmer.wasmer_cpu_features_delete(cpu);
        }
    }

    Native toNative() {
        return toNative(triple, cpuFeatures);
    }

    private static Native toNative(String triple, Set<String> cpuFeatures) {
        WasmerLibrary.load();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment t = triple == null
                    ? LibWasmer.wasmer_triple_new_from_host()
                    : LibWasmer.wasmer_triple_new(Bytes.borrowed(arena, triple));
            if (t.equals(MemorySegment.NULL)) {
                throw new IllegalArgumentException(
                        "invalid target triple '" + triple + "': " + LastError.take("not recognized"));
            }
            MemorySegment cpu = LibWasmer.wasmer_cpu_features_new();
            for (String f : List.copyOf(cpuFeatures)) {
                if (!LibWasmer.wasmer_cpu_features_add(cpu, Bytes.borrowed(arena, f))) {
                    LibWasmer.wasmer_triple_delete(t);
                    LibWasmer.wasmer_cpu_features_delete(cpu);
                    throw new IllegalArgumentException(
                            "unknown CPU feature '" + f + "': " + LastError.take("not recognized"));
                }
            }
            return new Native(t, cpu);
        }
    }

    @Override
    public String toString() {
        return (triple == null ? "host" : triple) + (cpuFeatures.isEmpty() ? "" : " " + cpuFeatures);
    }
}
