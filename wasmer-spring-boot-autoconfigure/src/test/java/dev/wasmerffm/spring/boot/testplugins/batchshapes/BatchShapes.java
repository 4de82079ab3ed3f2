package dev.wasmerffm.spring.boot.testplugins.batchshapes;

import dev.wasmerffm.spring.boot.annotation.WasmFunction;
import dev.wasmerffm.spring.boot.annotation.WasmModule;

/** Array methods that are no batch, each made by hand: no test app scans this package. */
public final class BatchShapes {

    private BatchShapes() {}

    @WasmModule("calc")
    public interface SeveralResults {
        int[] divmod(int[] a, int[] b);
    }

    @WasmModule("calc")
    public interface ArrayAndScalar {
        int[] add(int[] a, int b);
    }

    @WasmModule("calc")
    public interface NoColumns {
        @WasmFunction("total")
        long[] totals();
    }
}
