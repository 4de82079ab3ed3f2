/**
 * Auto-configuration of the Wasmer runtime, its module registry and instance pool, and the actuator endpoint
 * and info contributor; the {@code wasmer.*} properties.
 */
@NullMarked
package dev.wasmerffm.spring.boot.autoconfigure;

import org.jspecify.annotations.NullMarked;
