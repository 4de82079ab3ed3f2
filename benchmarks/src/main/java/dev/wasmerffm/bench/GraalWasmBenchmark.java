package dev.wasmerffm.bench;

import java.io.File;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.IntBinaryOperator;
import java.util.function.IntUnaryOperator;
import java.util.function.LongUnaryOperator;
import java.util.stream.Collectors;
import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.Source;
import org.graalvm.polyglot.Value;
import org.graalvm.polyglot.io.ByteSequence;
import org.graalvm.polyglot.proxy.ProxyExecutable;
import org.graalvm.polyglot.proxy.ProxyObject;
import org.openjdk.jmh.annotations.Warmup;

/**
 * GraalWasm through the polyglot API, on Truffle's optimizing runtime: the Graal JIT, which a stock JDK runs only
 * with the options of {@link #jitOptions()}. It refuses to run on Truffle's fallback (interpreter-only) runtime, so
 * its figures are always the JIT's.
 */
// Truffle compiles in the background, tier 1 then tier 2: on 2 cores the kernels need seconds to reach their peak.
@Warmup(iterations = 8, time = 1)
public class GraalWasmBenchmark extends PeerBenchmark {

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    Context context;
    Value exports;
    Value memory;

    /**
     * JVM options that give Truffle the Graal JIT on a stock JDK: JVMCI on, and the Graal compiler jar with its
     * dependencies (from this class path) on the upgrade module path, in place of the JDK's own jdk.graal.compiler.
     */
    static List<String> jitOptions() {
        String jars = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(e -> e.matches(".*/org/graalvm/(compiler/compiler|truffle/truffle-compiler|sdk/word"
                        + "|sdk/collections|sdk/nativeimage)/.*\\.jar"))
                .collect(Collectors.joining(File.pathSeparator));
        return List.of("-XX:+UnlockExperimentalVMOptions", "-XX:+EnableJVMCI", "--upgrade-module-path=" + jars);
    }

    @Override
    void instantiate(byte[] wasm) {
        context = Context.create("wasm");
        if (context.getEngine().getImplementationName().equals("Interpreted")) {
            context.close();
            throw new IllegalStateException("GraalWasm is on Truffle's fallback runtime, not the Graal JIT: run it"
                    + " with GraalWasmBenchmark.jitOptions()");
        }
        Value module = context.eval(
                Source.newBuilder("wasm", ByteSequence.create(wasm), "peer").buildLiteral());
        ProxyExecutable host = args -> args[0].asInt() + 1;
        exports = module.newInstance(ProxyObject.fromMap(Map.of("env", ProxyObject.fromMap(Map.of("host", host)))))
                .getMember("exports");
        memory = exports.getMember("memory");
    }

    @Override
    IntBinaryOperator i32i32(String export) {
        Value f = exports.getMember(export);
        return (a, b) -> f.execute(a, b).asInt();
    }

    @Override
    IntUnaryOperator i32(String export) {
        Value f = exports.getMember(export);
        return a -> f.execute(a).asInt();
    }

    @Override
    LongUnaryOperator i64(String export) {
        Value f = exports.getMember(export);
        return a -> f.execute(a).asLong();
    }

    @Override
    byte[] writeThenRead(byte[] in, byte[] out) {
        for (int i = 0; i < in.length; i += 8) { // the polyglot API writes no byte arrays: a long at a time
            memory.writeBufferLong(ByteOrder.LITTLE_ENDIAN, i, (long) LONGS.get(in, i));
        }
        memory.readBuffer(0, out, 0, out.length);
        return out;
    }

    @Override
    void close() {
        context.close();
    }
}
