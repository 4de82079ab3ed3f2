/**
 * Test support: {@link dev.wasmerffm.spring.boot.test.autoconfigure.AutoConfigureWasmer} for slice tests and
 * {@link dev.wasmerffm.spring.boot.test.autoconfigure.WasmTestModule} beans registered as modules.
 */
@NullMarked
package dev.wasmerffm.spring.boot.test.autoconfigure;

import org.jspecify.annotations.NullMarked;
