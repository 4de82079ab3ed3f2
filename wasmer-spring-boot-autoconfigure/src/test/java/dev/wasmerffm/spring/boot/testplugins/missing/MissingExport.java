package dev.wasmerffm.spring.boot.testplugins.missing;

import dev.wasmerffm.spring.boot.annotation.WasmModule;

/** Calls an export the text module does not have. Test interfaces live outside the test apps' packages. */
@WasmModule("text")
public interface MissingExport {

    int triple(int x);
}
