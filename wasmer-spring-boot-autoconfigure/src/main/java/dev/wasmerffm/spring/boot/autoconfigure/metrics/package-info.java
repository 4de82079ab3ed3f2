/**
 * Auto-configuration of the Micrometer meters.
 */
@NullMarked
package dev.wasmerffm.spring.boot.autoconfigure.metrics;

import org.jspecify.annotations.NullMarked;
