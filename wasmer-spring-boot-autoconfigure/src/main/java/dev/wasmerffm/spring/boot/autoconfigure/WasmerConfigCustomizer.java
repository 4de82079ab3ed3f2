package dev.wasmerffm.spring.boot.autoconfigure;

import dev.wasmerffm.Config;

/**
 * Adjusts the engine {@link Config} built from {@code wasmer.*} properties, before the engine is made. Customizers
 * run in {@link org.springframework.core.Ordered order}.
 */
@FunctionalInterface
public interface WasmerConfigCustomizer {

    /** Changes the config in place. */
    void customize(Config config);
}
