package dev.wasmerffm.bench;

import com.dylibso.chicory.compiler.MachineFactoryCompiler;
import com.dylibso.chicory.runtime.ExportFunction;
import com.dylibso.chicory.runtime.HostFunction;
import com.dylibso.chicory.runtime.ImportValues;
import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.FunctionType;
import com.dylibso.chicory.wasm.types.ValType;
import io.github.kawamuray.wasmtime.Extern;
import io.github.kawamuray.wasmtime.Func;
import io.github.kawamuray.wasmtime.Instance;
import io.github.kawamuray.wasmtime.Module;
import io.github.kawamuray.wasmtime.Store;
import io.github.kawamuray.wasmtime.WasmFunctions;
import io.github.kawamuray.wasmtime.WasmValType;
import java.nio.ByteBuffer;
import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.Source;
import org.graalvm.polyglot.Value;
import org.graalvm.polyglot.io.ByteSequence;
import org.graalvm.polyglot.proxy.ProxyExecutable;
import org.graalvm.polyglot.proxy.ProxyObject;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntBinaryOperator;
import java.util.function.IntUnaryOperator;
import java.util.function.LongUnaryOperator;

/**
 * One instance of a module in another JVM WebAssembly runtime, through that runtime's own typed API, for the peer
 * benchmarks. Every module gets the import {@code env.host(i32) -> i32 = x + 1} if it declares one, as in
 * {@link CallBenchmark} and the C baseline.
 */
interface Peer extends AutoCloseable {

    /** The runtimes compared; names as they appear in the report. */
    List<String> RUNTIMES = List.of("chicory-interpreter", "chicory-compiler", "graalwasm", "wasmtime-java");

    IntBinaryOperator i32i32(String export);

    IntUnaryOperator i32(String export);

    LongUnaryOperator i64(String export);

    /** Writes {@code in} at 0 of the memory named {@code memory} and reads it back into {@code out}. */
    void writeThenRead(byte[] in, byte[] out);

    @Override
    void close();

    static Peer of(String runtime, byte[] wasm) {
        return switch (runtime) {
            case "chicory-interpreter" -> new Chicory(wasm, false);
            case "chicory-compiler" -> new Chicory(wasm, true);
            case "graalwasm" -> new GraalWasm(wasm);
            case "wasmtime-java" -> new Wasmtime(wasm);
            default -> throw new IllegalArgumentException(runtime);
        };
    }

    /** Chicory: its interpreter, or its compiler of wasm to JVM bytecode. */
    final class Chicory implements Peer {
        private final com.dylibso.chicory.runtime.Instance instance;

        Chicory(byte[] wasm, boolean compiled) {
            WasmModule module = Parser.parse(wasm);
            HostFunction host = new HostFunction("env", "host", FunctionType.of(List.of(ValType.I32),
                    List.of(ValType.I32)), (inst, args) -> new long[] {(int) args[0] + 1});
            var builder = com.dylibso.chicory.runtime.Instance.builder(module);
            if (module.importSection().importCount() > 0) {
                builder.withImportValues(ImportValues.builder().addFunction(host).build());
            }
            if (compiled) {
                builder.withMachineFactory(MachineFactoryCompiler.compile(module));
            }
            instance = builder.build();
        }

        @Override
        public IntBinaryOperator i32i32(String export) {
            ExportFunction f = instance.export(export);
            return (a, b) -> (int) f.apply(a, b)[0];
        }

        @Override
        public IntUnaryOperator i32(String export) {
            ExportFunction f = instance.export(export);
            return a -> (int) f.apply(a)[0];
        }

        @Override
        public LongUnaryOperator i64(String export) {
            ExportFunction f = instance.export(export);
            return a -> f.apply(a)[0];
        }

        @Override
        public void writeThenRead(byte[] in, byte[] out) {
            instance.memory().write(0, in);
            System.arraycopy(instance.memory().readBytes(0, out.length), 0, out, 0, out.length);
        }

        @Override
        public void close() {
        }
    }

    /**
     * GraalWasm through the polyglot API. Its optimizing (Truffle JIT) runtime needs the Graal compiler on the
     * JVM's module path with JVMCI enabled, which {@link Main} gives the forked peer benchmarks.
     */
    final class GraalWasm implements Peer {
        private final Context context;
        private final Value exports;

        GraalWasm(byte[] wasm) {
            context = Context.newBuilder("wasm").option("engine.WarnInterpreterOnly", "false").build();
            if (Boolean.getBoolean(Main.GRAAL_JIT) && context.getEngine().getImplementationName().equals("Interpreted")) {
                context.close(); // fallback figures must not pass for the JIT's
                throw new IllegalStateException("GraalWasm runs on Truffle's fallback runtime, not the Graal JIT");
            }
            Value module = context.eval(Source.newBuilder("wasm", ByteSequence.create(wasm), "peer").buildLiteral());
            ProxyExecutable host = args -> args[0].asInt() + 1;
            Value instance = module.newInstance(ProxyObject.fromMap(java.util.Map.of("env",
                    ProxyObject.fromMap(java.util.Map.of("host", host)))));
            exports = instance.getMember("exports");
        }

        @Override
        public IntBinaryOperator i32i32(String export) {
            Value f = exports.getMember(export);
            return (a, b) -> f.execute(a, b).asInt();
        }

        @Override
        public IntUnaryOperator i32(String export) {
            Value f = exports.getMember(export);
            return a -> f.execute(a).asInt();
        }

        @Override
        public LongUnaryOperator i64(String export) {
            Value f = exports.getMember(export);
            return a -> f.execute(a).asLong();
        }

        @Override
        public void writeThenRead(byte[] in, byte[] out) {
            Value memory = exports.getMember("memory");
            for (int i = 0; i < in.length; i++) { // the polyglot API has no bulk buffer write
                memory.writeBufferByte(i, in[i]);
            }
            memory.readBuffer(0, out, 0, out.length);
        }

        @Override
        public void close() {
            context.close();
        }
    }

    /** wasmtime-java: Wasmtime through JNI. */
    final class Wasmtime implements Peer {
        private final Store<Void> store = Store.withoutData();
        private final Module module;
        private final Instance instance;
        private final List<Func> funcs = new ArrayList<>();

        Wasmtime(byte[] wasm) {
            module = Module.fromBinary(store.engine(), wasm);
            List<Extern> imports = new ArrayList<>();
            if (module.imports().length > 0) {
                Func host = WasmFunctions.wrap(store, WasmValType.I32, WasmValType.I32, (Integer x) -> x + 1);
                funcs.add(host);
                imports.add(Extern.fromFunc(host));
            }
            instance = new Instance(store, module, imports);
        }

        private Func func(String export) {
            Func f = instance.getFunc(store, export).orElseThrow();
            funcs.add(f);
            return f;
        }

        @Override
        public IntBinaryOperator i32i32(String export) {
            var f = WasmFunctions.func(store, func(export), WasmValType.I32, WasmValType.I32, WasmValType.I32);
            return f::call;
        }

        @Override
        public IntUnaryOperator i32(String export) {
            var f = WasmFunctions.func(store, func(export), WasmValType.I32, WasmValType.I32);
            return f::call;
        }

        @Override
        public LongUnaryOperator i64(String export) {
            var f = WasmFunctions.func(store, func(export), WasmValType.I64, WasmValType.I64);
            return f::call;
        }

        @Override
        public void writeThenRead(byte[] in, byte[] out) {
            ByteBuffer memory = instance.getMemory(store, "memory").orElseThrow().buffer(store);
            memory.put(0, in);
            memory.get(0, out);
        }

        @Override
        public void close() {
            funcs.forEach(Func::dispose);
            instance.dispose();
            module.dispose();
            store.dispose();
        }
    }
}
