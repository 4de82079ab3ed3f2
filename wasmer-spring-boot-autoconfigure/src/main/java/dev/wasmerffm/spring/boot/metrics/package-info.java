/**
 * Micrometer meters of the module cache, metering, loads, instantiations and traps.
 */
@NullMarked
package dev.wasmerffm.spring.boot.metrics;

import org.jspecify.annotations.NullMarked;
