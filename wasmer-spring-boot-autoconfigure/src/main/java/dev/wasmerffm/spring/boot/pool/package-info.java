/**
 * Instances of registered modules lent to one thread at a time.
 */
@NullMarked
package dev.wasmerffm.spring.boot.pool;

import org.jspecify.annotations.NullMarked;
