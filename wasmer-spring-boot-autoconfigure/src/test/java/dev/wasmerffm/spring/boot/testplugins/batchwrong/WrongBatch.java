package dev.wasmerffm.spring.boot.testplugins.batchwrong;

import dev.wasmerffm.spring.boot.annotation.WasmModule;

/** A batch of add whose result column is long[], where the export returns i32. */
@WasmModule("calc")
public interface WrongBatch {

    long[] add(int[] a, int[] b);
}
