/**
 * The {@code wasmer} health indicator.
 */
@NullMarked
package dev.wasmerffm.spring.boot.health;

import org.jspecify.annotations.NullMarked;
