/**
 * The {@code wasmer} actuator endpoint.
 */
@NullMarked
package dev.wasmerffm.spring.boot.actuate.endpoint;

import org.jspecify.annotations.NullMarked;
