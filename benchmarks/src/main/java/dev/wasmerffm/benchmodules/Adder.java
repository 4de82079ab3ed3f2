package dev.wasmerffm.benchmodules;

import dev.wasmerffm.spring.boot.annotation.WasmModule;

/**
 * PoolBenchmark's add module as a Java interface. Outside dev.wasmerffm.bench: the starter probe's application would
 * find it there, and rightly fail startup, as it has no module named add.
 */
@WasmModule("add")
public interface Adder {

    int add(int a, int b);
}
