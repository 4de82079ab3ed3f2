package dev.wasmerffm;

import dev.wasmerffm.internal.store.LastError;
import dev.wasmerffm.internal.wasm.Bytes;
import dev.wasmerffm.raw.LibWasmer;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A compilation target: a target triple and CPU features ({@code wasmer_target_t}). Modules compiled for another
 * target can be serialized for that machine but not run here.
 *
 * @param triple the target triple, e.g. {@code aarch64-unknown-linux-gnu}; null for this host
 * @param cpuFeatures CPU feature names such as {@code sse2} or {@code avx2}
 */
public record Target(String triple, Set<String> cpuFeatures) {

    /** Checks both against libwasmer now, so a typo fails here with a clear message. */
    public Target {
        cpuFeatures = Set.copyOf(new LinkedHashSet<>(cpuFeatures));
        toNative(triple, cpuFeatures).free();
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
