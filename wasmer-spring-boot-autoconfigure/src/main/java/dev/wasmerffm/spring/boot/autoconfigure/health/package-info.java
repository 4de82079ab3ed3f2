/**
 * Auto-configuration of the {@code wasmer} health indicator.
 */
@NullMarked
package dev.wasmerffm.spring.boot.autoconfigure.health;

import org.jspecify.annotations.NullMarked;
