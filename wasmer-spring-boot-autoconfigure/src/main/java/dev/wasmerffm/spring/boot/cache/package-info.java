/**
 * The module cache's shared level on Spring's cache abstraction.
 */
@NullMarked
package dev.wasmerffm.spring.boot.cache;

import org.jspecify.annotations.NullMarked;
