package dev.wasmerffm.bench;

import com.dylibso.chicory.compiler.MachineFactoryCompiler;
import com.dylibso.chicory.runtime.ExportFunction;
import com.dylibso.chicory.runtime.HostFunction;
import com.dylibso.chicory.runtime.ImportValues;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.FunctionType;
import com.dylibso.chicory.wasm.types.ValType;
import java.util.List;
import java.util.function.IntBinaryOperator;
import java.util.function.IntUnaryOperator;
import java.util.function.LongUnaryOperator;
import org.openjdk.jmh.annotations.Param;

/** Chicory, pure Java: its interpreter, or its compiler of wasm to JVM bytecode at instantiation. */
public class ChicoryBenchmark extends PeerBenchmark {

    @Param({"interpreter", "compiler"})
    public String mode;

    Instance instance;

    @Override
    void instantiate(byte[] wasm) {
        WasmModule module = Parser.parse(wasm);
        var builder = Instance.builder(module);
        if (module.importSection().importCount() > 0) {
            builder.withImportValues(ImportValues.builder()
                    .addFunction(new HostFunction(
                            "env", "host", FunctionType.of(List.of(ValType.I32), List.of(ValType.I32)), (inst, args) ->
                                    new long[] {(int) args[0] + 1}))
                    .build());
        }
        if (mode.equals("compiler")) {
            builder.withMachineFactory(MachineFactoryCompiler.compile(module));
        }
        instance = builder.build();
    }

    @Override
    IntBinaryOperator i32i32(String export) {
        ExportFunction f = instance.export(export);
        return (a, b) -> (int) f.apply(a, b)[0];
    }

    @Override
    IntUnaryOperator i32(String export) {
        ExportFunction f = instance.export(export);
        return a -> (int) f.apply(a)[0];
    }

    @Override
    LongUnaryOperator i64(String export) {
        ExportFunction f = instance.export(export);
        return a -> f.apply(a)[0];
    }

    @Override
    byte[] writeThenRead(byte[] in, byte[] out) {
        instance.memory().write(0, in);
        return instance.memory().readBytes(0, out.length); // Chicory reads into new arrays only
    }
}
