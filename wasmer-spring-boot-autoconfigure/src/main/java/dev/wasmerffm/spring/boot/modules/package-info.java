/**
 * Modules from Spring resources ({@code wasmer.modules.locations}) for the binding's registry
 * ({@link dev.wasmerffm.pool.WasmModules}), and the exception that says a {@code @WasmModule} interface does not
 * match its module.
 */
@NullMarked
package dev.wasmerffm.spring.boot.modules;

import org.jspecify.annotations.NullMarked;
