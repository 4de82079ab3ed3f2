package dev.wasmerffm.spring.boot.testplugins.extism;

import dev.wasmerffm.spring.boot.annotation.WasmModule;

/** The Rust PDK test plugin. */
@WasmModule("rust-plugin")
public interface RustPlugin extends PdkPlugin {}
