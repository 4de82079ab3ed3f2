package dev.wasmerffm.spring.boot.test.autoconfigure;

import java.nio.charset.StandardCharsets;

/**
 * A module for a test, given as WAT text or {@code .wasm} bytes: declared as a bean in a test configuration, it is
 * registered under its name when the module registry is made (before any {@code @WasmModule} interface is checked
 * against it), replacing a module of that name from {@code wasmer.modules.locations}.
 */
public final class WasmTestModule {

    private final String name;
    private final byte[] bytes;

    private WasmTestModule(String name, byte[] bytes) {
        this.name = name;
        this.bytes = bytes;
    }

    /** Module {@code name} from WebAssembly text. */
    public static WasmTestModule wat(String name, String text) {
        return new WasmTestModule(name, text.getBytes(StandardCharsets.UTF_8));
    }

    /** Module {@code name} from a {@code .wasm} binary or WAT bytes (copied). */
    public static WasmTestModule of(String name, byte[] wasmOrWat) {
        return new WasmTestModule(name, wasmOrWat.clone());
    }

    /** The name it is registered under. */
    public String name() {
        return name;
    }

    byte[] bytes() {
        return bytes;
    }

    @Override
    public String toString() {
        return "WasmTestModule[" + name + ", " + bytes.length + " bytes]";
    }
}
