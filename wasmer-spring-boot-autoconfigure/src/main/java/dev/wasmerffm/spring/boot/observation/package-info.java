/**
 * Micrometer Observations of pooled calls.
 */
@NullMarked
package dev.wasmerffm.spring.boot.observation;

import org.jspecify.annotations.NullMarked;
