/**
 * The annotations an application puts on its code: {@code @WasmModule} interfaces, their
 * {@code @WasmFunction} methods, and {@code @WasmHostFunction} bean methods.
 */
@NullMarked
package dev.wasmerffm.spring.boot.annotation;

import org.jspecify.annotations.NullMarked;
