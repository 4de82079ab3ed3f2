package dev.wasmerffm.spring.boot.test.autoconfigure;

import dev.wasmerffm.spring.boot.annotation.WasmModule;

/** Bound to the test module that replaces classpath:wasm/answer.wat (which answers 41). */
@WasmModule("answer")
public interface Answer {
    int answer();
}
