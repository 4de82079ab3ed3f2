package dev.wasmerffm.bench;

import dev.wasmerffm.Config;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** The compute kernels, shared with the C baseline (benchmarks/src/main/resources/kernels). */
final class Kernels {

    /** The kernels, as {@link KernelBenchmark}'s parameter lists them. */
    static final java.util.List<String> NAMES = java.util.List.of("fib", "loop", "sieve", "sha256");

    private Kernels() {}

    static byte[] load(String kernel) {
        String file = kernel.equals("sha256") ? "sha256.wasm" : kernel + ".wat";
        try (InputStream in = Kernels.class.getResourceAsStream("/kernels/" + file)) {
            if (in == null) {
                throw new IllegalStateException("kernel " + file + " missing from the classpath");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The argument each kernel runs with, as in baseline.c. */
    static long argument(String kernel) {
        return switch (kernel) {
            case "fib" -> 25;
            case "loop" -> 1_000_000;
            default -> 1 << 20;
        };
    }

    /** What {@code run(argument)} returns, computed by the binding: the peers must agree. */
    static long expected(String kernel) {
        try (Loaded loaded = Loaded.of(new Config(), load(kernel))) {
            return loaded.instance().func("run").asLongUnaryOperator().applyAsLong(argument(kernel));
        }
    }

    /** A module of about {@code functions} × 300 bytes, for compile-time benchmarks. */
    static String large(int functions) {
        StringBuilder wat = new StringBuilder("(module (memory (export \"m\") 1)\n");
        for (int f = 0; f < functions; f++) {
            wat.append("(func (export \"f").append(f).append("\") (param i32 i64) (result i64) (local i64)\n");
            for (int i = 0; i < 12; i++) {
                wat.append(" (local.set 2 (i64.add (local.get 2) (i64.mul (local.get 1) (i64.const ")
                        .append(f * 31 + i)
                        .append("))))\n (i32.store (i32.and (local.get 0) (i32.const 0xfff0))")
                        .append(" (i32.wrap_i64 (local.get 2)))\n");
            }
            wat.append(" local.get 2)\n");
        }
        return wat.append(")").toString();
    }
}
