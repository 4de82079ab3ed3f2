package dev.wasmerffm.spring.boot.testplugins.batch;

import dev.wasmerffm.spring.boot.annotation.WasmModule;

/** The calc module row by row and, through array methods, as batches over many rows. */
@WasmModule("calc")
public interface Calc {

    int add(int a, int b);

    int[] add(int[] a, int[] b);

    int[] div(int[] a, int[] b);

    double[] scale(double[] x, long[] n);

    void accumulate(long[] x);

    long total();
}
