/**
 * The {@code wasmer} info contributor.
 */
@NullMarked
package dev.wasmerffm.spring.boot.info;

import org.jspecify.annotations.NullMarked;
