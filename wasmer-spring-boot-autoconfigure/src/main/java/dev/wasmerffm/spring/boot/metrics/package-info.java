/**
 * Micrometer meters of the module cache, metering and pooled calls.
 */
@NullMarked
package dev.wasmerffm.spring.boot.metrics;

import org.jspecify.annotations.NullMarked;
