package dev.wasmerffm.spring.boot.testplugins.wrong;

import dev.wasmerffm.spring.boot.annotation.WasmModule;

/** Declares a result type the module's export does not have: startup must fail. */
@WasmModule("text")
public interface WrongPlugin {

    long quadruple(int x);
}
