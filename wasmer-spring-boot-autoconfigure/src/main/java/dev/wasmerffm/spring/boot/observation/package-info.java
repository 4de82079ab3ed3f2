/**
 * Micrometer Observations of calls through the instance pool: {@code wasmer.call}, its context and conventions.
 */
@NullMarked
package dev.wasmerffm.spring.boot.observation;

import org.jspecify.annotations.NullMarked;
