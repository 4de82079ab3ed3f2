package dev.wasmerffm.sample;

import dev.wasmerffm.spring.boot.annotation.WasmModule;

/** The {@code text} plugin (src/main/plugins/text.c) as a Java interface: the starter implements and checks it. */
@WasmModule("text")
public interface TextPlugin {

    /** The title as a URL slug. */
    String slug(String title);

    /** How many words the text has. */
    int words(String text);
}
