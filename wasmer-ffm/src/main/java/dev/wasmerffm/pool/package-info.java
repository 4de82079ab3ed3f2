/**
 * Instances of registered modules lent to one thread at a time, in plain Java: {@link dev.wasmerffm.pool.WasmModules}
 * (the registry of compiled modules, replaceable at runtime), {@link dev.wasmerffm.pool.WasmInstancePool} (instances
 * with a store each, reused and replaced under {@link dev.wasmerffm.pool.ModuleLimits}), the exceptions that say why a
 * module cannot be used, and {@link dev.wasmerffm.pool.WasmerObserver}, the hooks metrics and observations hear them
 * through. The Spring Boot starter builds these from properties.
 */
@NullMarked
package dev.wasmerffm.pool;

import org.jspecify.annotations.NullMarked;
