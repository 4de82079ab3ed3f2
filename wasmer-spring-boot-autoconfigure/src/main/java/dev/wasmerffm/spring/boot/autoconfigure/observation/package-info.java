/**
 * Auto-configuration of an Observation per pooled call.
 */
@NullMarked
package dev.wasmerffm.spring.boot.autoconfigure.observation;

import org.jspecify.annotations.NullMarked;
