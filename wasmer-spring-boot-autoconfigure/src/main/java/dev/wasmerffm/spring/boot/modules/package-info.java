/**
 * The registry of modules loaded at startup or registered at runtime, and the exceptions that say why a module
 * cannot be used.
 */
@NullMarked
package dev.wasmerffm.spring.boot.modules;

import org.jspecify.annotations.NullMarked;
