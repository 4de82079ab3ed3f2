/**
 * Java methods bound to wasm functions: {@code @WasmModule} interfaces calling exports, and
 * {@code @WasmHostFunction} bean methods provided as imports.
 */
@NullMarked
package dev.wasmerffm.spring.boot.interop;

import org.jspecify.annotations.NullMarked;
