package dev.wasmerffm.extism;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wasmerffm.Engine;
import dev.wasmerffm.Func;
import dev.wasmerffm.Imports;
import dev.wasmerffm.Instance;
import dev.wasmerffm.Memory;
import dev.wasmerffm.Module;
import dev.wasmerffm.Store;
import dev.wasmerffm.TrapException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The accessors the guest gets instead of the kernel's own (see {@link Kernel#accessors}) answer as the kernel does,
 * offset for offset, in bounds and out: a differential test against the kernel itself.
 */
class KernelAccessorsTest {

    /**
     * The accessor answers as the kernel's function does; where the kernel traps (it lets the bytes just past the
     * memory's end, and an input offset whose sum overflows, through its checks) the accessor answers 0 instead,
     * as it does where the kernel's check of an input offset near 2^64 wraps and lets it read before the input.
     */
    private static void same(Instance fast, Instance kernel, String function, long at) {
        Object want;
        try {
            want = kernel.func(function).call(at)[0];
        } catch (TrapException e) {
            want = function.endsWith("u8") ? (Object) 0 : (Object) 0L;
        }
        assertThat(fast.func(function).call(at)[0]).as("%s(%d)", function, at).isEqualTo(want);
    }

    @Test
    void loadsStoresAndInputLoadsMatchTheKernelsAtEveryEdge() {
        try (Engine engine = new Engine();
                Store store = new Store(engine);
                Module kernelModule = Module.compile(engine, Kernel.bytes());
                Module accessorModule = Kernel.accessors(engine)) {
            Instance kernel = Instance.create(store, kernelModule, new Imports());
            Memory memory = kernel.memory("memory");
            Instance fast = Instance.create(
                    store,
                    accessorModule,
                    new Imports().define("k", "memory", memory).define("k", "alloc", kernel.func("alloc")));
            kernel.func("reset").call();
            long input = (long) fast.func("alloc").call(100L)[0]; // through the accessors: they see the growth
            kernel.func("input_set").call(input, 100L);
            long big = (long) fast.func("alloc").call(3L << 20)[0]; // grows the memory past its first 16 pages
            assertThat(big).isPositive();
            byte[] pattern = new byte[(int) memory.dataSize()];
            for (int i = 0; i < pattern.length; i++) {
                pattern[i] = (byte) (i * 31 + 7);
            }
            memory.write(200, pattern, 200, pattern.length - 200); // leave the kernel's root alone
            long end = memory.dataSize();
            List<Long> offsets = new ArrayList<>(List.of(0L, 1L, 63L, 64L, 65L, input, input + 99, input + 100));
            offsets.addAll(List.of(end - 9, end - 8, end - 1, end, end + 1, 1L << 32, Long.MAX_VALUE, -1L));
            for (long p : offsets) {
                same(fast, kernel, "load_u8", p);
                same(fast, kernel, "load_u64", p);
            }
            for (long o : List.of(0L, 1L, 91L, 92L, 93L, 99L, 100L, 101L, 1L << 40, Long.MAX_VALUE, -1L, -8L)) {
                same(fast, kernel, "input_load_u8", o);
                if (o > -8 && o < 0) {
                    same(fast, kernel, "input_load_u64", o); // the kernel's offset + 8 wraps to 0..7: it traps
                } else if (o >= 0) {
                    same(fast, kernel, "input_load_u64", o);
                } else { // o + 8 wraps to 0 for o = -8: the kernel reads the 8 bytes before the input
                    assertThat(fast.func("input_load_u64").call(o)[0]).isEqualTo(0L);
                }
            }
            for (long p : List.of(56L, end - 7, end, Long.MAX_VALUE)) { // refused: nothing is written
                fast.func("store_u64").call(p, -1L);
            }
            for (long p : List.of(63L, end, Long.MAX_VALUE)) {
                fast.func("store_u8").call(p, 0xFF);
            }
            assertThat(java.util.Arrays.equals(
                            memory.read(200, pattern.length - 200),
                            java.util.Arrays.copyOfRange(pattern, 200, pattern.length)))
                    .as("memory unchanged by refused stores")
                    .isTrue();
            fast.func("store_u64").call(end - 8, 0x0102030405060708L);
            fast.func("store_u8").call(64L, 9);
            assertThat((long) kernel.func("load_u64").call(end - 8)[0]).isEqualTo(0x0102030405060708L);
            assertThat((int) kernel.func("load_u8").call(64L)[0]).isEqualTo(9);
            Func length = kernel.func("length");
            assertThat((long) length.call(big)[0]).isEqualTo(3L << 20);
        }
    }
}
