package dev.wasmerffm.spring.boot.testplugins.extism;

import dev.wasmerffm.spring.boot.annotation.WasmFunction;
import dev.wasmerffm.spring.boot.annotation.WasmModule;

/** The Go PDK test plugin, which also reads files through WASI. */
@WasmModule("go-plugin")
public interface GoPlugin extends PdkPlugin {

    @WasmFunction("read_file")
    String readFile(String path);
}
