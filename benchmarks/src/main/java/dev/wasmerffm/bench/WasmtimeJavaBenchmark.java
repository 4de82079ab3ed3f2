package dev.wasmerffm.bench;

import io.github.kawamuray.wasmtime.Disposable;
import io.github.kawamuray.wasmtime.Extern;
import io.github.kawamuray.wasmtime.Func;
import io.github.kawamuray.wasmtime.Instance;
import io.github.kawamuray.wasmtime.Module;
import io.github.kawamuray.wasmtime.Store;
import io.github.kawamuray.wasmtime.WasmFunctions;
import io.github.kawamuray.wasmtime.WasmValType;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntBinaryOperator;
import java.util.function.IntUnaryOperator;
import java.util.function.LongUnaryOperator;

/** wasmtime-java: Wasmtime (7.0.1, bundled) through JNI, with its typed function wrappers. */
public class WasmtimeJavaBenchmark extends PeerBenchmark {

    Store<Void> store;
    Module module;
    Instance instance;
    ByteBuffer memory;
    /** The handles this instance hands out, freed with it. */
    final List<Disposable> handles = new ArrayList<>();

    @Override
    void instantiate(byte[] wasm) {
        store = Store.withoutData();
        module = Module.fromBinary(store.engine(), wasm);
        List<Extern> imports = new ArrayList<>();
        if (module.imports().length > 0) {
            Func host = WasmFunctions.wrap(store, WasmValType.I32, WasmValType.I32, (Integer x) -> x + 1);
            handles.add(host);
            imports.add(Extern.fromFunc(host));
        }
        instance = new Instance(store, module, imports);
        instance.getMemory(store, "memory").ifPresent(m -> {
            handles.add(m);
            memory = m.buffer(store);
        });
    }

    private Func func(String export) {
        Func f = instance.getFunc(store, export).orElseThrow();
        handles.add(f);
        return f;
    }

    @Override
    IntBinaryOperator i32i32(String export) {
        var f = WasmFunctions.func(store, func(export), WasmValType.I32, WasmValType.I32, WasmValType.I32);
        return f::call;
    }

    @Override
    IntUnaryOperator i32(String export) {
        var f = WasmFunctions.func(store, func(export), WasmValType.I32, WasmValType.I32);
        return f::call;
    }

    @Override
    LongUnaryOperator i64(String export) {
        var f = WasmFunctions.func(store, func(export), WasmValType.I64, WasmValType.I64);
        return f::call;
    }

    @Override
    byte[] writeThenRead(byte[] in, byte[] out) {
        memory.put(0, in);
        memory.get(0, out);
        return out;
    }

    @Override
    void close() {
        handles.forEach(Disposable::dispose);
        instance.dispose();
        module.dispose();
        store.dispose();
    }
}
