/**
 * What the module registry and the instance pool report, for metrics and observations to hear.
 */
@NullMarked
package dev.wasmerffm.spring.boot.observer;

import org.jspecify.annotations.NullMarked;
