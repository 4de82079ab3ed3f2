package dev.wasmerffm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.wasmerffm.internal.wasm.LimitsCap;
import dev.wasmerffm.internal.wasm.MalformedWasmException;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Tiny hostile modules that once made the binding's own readers spin, exhaust the heap or throw untyped exceptions
 * before libwasmer saw them: each is now a {@link CompileException} naming the offset, fast and small.
 */
class UntrustedBytesTest {

    static final Config CAPPED = new Config().maxMemory(4 * Memory.PAGE_SIZE).maxTableElements(100);

    static byte[] hex(String s) {
        return HexFormat.of().parseHex(s.replace(" ", ""));
    }

    /** Bytes allocated by this thread while {@code r} runs. */
    static long allocated(Runnable r) {
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = threads.getCurrentThreadAllocatedBytes();
        r.run();
        return threads.getCurrentThreadAllocatedBytes() - before;
    }

    @Test
    void aCustomSectionSizedNear2To32IsACompileErrorInWellUnder100Ms() {
        byte[] spins = hex("0061736d 01000000 00 faffffff0f"); // once: LimitsCap moved backwards forever
        try (Engine engine = new Engine(CAPPED)) {
            assertThatThrownBy(() -> Module.compile(engine, hex("0061736d 01000000 00 05"))) // loads the classes
                    .isInstanceOf(CompileException.class);
            assertTimeoutPreemptively(
                    Duration.ofMillis(100), () -> assertThatThrownBy(() -> Module.compile(engine, spins))
                            .isInstanceOf(CompileException.class)
                            .hasMessageContaining("section 0 size 4294967290 exceeds the 0 bytes left")
                            .hasMessageEndingWith("at offset 9"));
        }
        try (Engine plain = new Engine()) {
            assertTimeoutPreemptively(
                    Duration.ofMillis(100),
                    () -> assertThatThrownBy(() -> Module.compile(plain, spins)).isInstanceOf(CompileException.class));
        }
    }

    @Test
    void hugeDeclaredCountsFailTypedWithoutAllocatingThem() {
        byte[] params = hex("0061736d 01000000 01 07 01 60 ffffffff07"); // one type of 2^31-1 parameters
        byte[] functions = hex("0061736d 01000000 03 0a ffffffff0f 0000000000"); // 2^32-1 functions
        assertThat(params).hasSize(17);
        assertThat(functions).hasSize(20);
        try (Engine engine = new Engine(CAPPED)) {
            Module.compile(engine, TestModules.ADD).close(); // loads the classes
            long bytes = allocated(() -> {
                assertThatThrownBy(() -> Module.compile(engine, params))
                        .isInstanceOf(CompileException.class)
                        .hasMessageContaining("parameter count 2147483647 exceeds the 0 bytes left at offset 12");
                assertThatThrownBy(() -> Module.compile(engine, functions))
                        .isInstanceOf(CompileException.class)
                        .hasMessageContaining("count 4294967295 exceeds the 5 bytes left at offset 10");
            });
            assertThat(bytes).as("bytes allocated").isLessThan(4L << 20);
        }
    }

    @Test
    void outOfRangeIndicesAndNonReferenceTableElementsAreCompileErrors() {
        try (Engine engine = new Engine()) {
            assertThatThrownBy(() -> Module.compile(engine, "(module (func (type 42)))"))
                    .isInstanceOf(CompileException.class)
                    .hasMessageContaining("type index 42 is out of range");
            byte[] v128Table = hex("0061736d 01000000 04 04 01 7b 00 01");
            assertThatThrownBy(() -> Module.compile(engine, v128Table))
                    .isInstanceOf(CompileException.class)
                    .hasMessageContaining("table element type v128 is not a reference type at offset 11");
            byte[] badExport = hex("0061736d 01000000 07 05 01 01 66 00 03"); // export "f" = function 3 of none
            assertThatThrownBy(() -> Module.compile(engine, badExport))
                    .isInstanceOf(CompileException.class)
                    .hasMessageContaining("index of export 'f' 3 is out of range");
            byte[] outOfOrder = hex("0061736d 01000000 03 01 00 01 01 00");
            assertThatThrownBy(() -> Module.compile(engine, outOfOrder))
                    .isInstanceOf(CompileException.class)
                    .hasMessageContaining("section 1 is out of order or repeated at offset 11");
        }
        try (Engine capped = new Engine(CAPPED)) {
            assertThatThrownBy(() -> Module.compile(capped, hex("0061736d 01000000 04 04 01 7b 00 01")))
                    .isInstanceOf(CompileException.class)
                    .hasMessageContaining("at offset 11");
        }
    }

    @Test
    void bytesThatAreNeitherBinaryNorTextGetABinaryFormatMessage() {
        byte[] wasm = Wasmer.wat2wasm(TestModules.ADD);
        try (Engine engine = new Engine()) {
            for (byte[] broken : new byte[][] {Arrays.copyOf(wasm, 3), {}, {1, 2, 3, 0}, {'(', 0}}) {
                assertThatThrownBy(() -> Module.compile(engine, broken))
                        .as(HexFormat.of().formatHex(broken))
                        .isInstanceOf(CompileException.class)
                        .hasMessageContaining("not a WebAssembly binary")
                        .hasMessageNotContaining("WAT");
            }
            assertThatThrownBy(() -> Module.compile(engine, Arrays.copyOf(wasm, 6)))
                    .isInstanceOf(CompileException.class)
                    .hasMessageContaining("truncated WebAssembly binary");
            assertThatThrownBy(() -> Module.compile(engine, "(module".getBytes()))
                    .isInstanceOf(CompileException.class)
                    .hasMessageContaining("invalid WAT");
            assertThatThrownBy(() -> Module.fromBinary(engine, TestModules.ADD.getBytes()))
                    .isInstanceOf(CompileException.class)
                    .hasMessageContaining("no \\0asm magic at offset 0");
            try (Module m = Module.fromBinary(engine, wasm);
                    Store s = new Store(engine);
                    Instance in = Instance.create(s, m)) {
                assertThat(in.func("add").call(40, 2)).containsExactly(42);
            }
        }
    }

    /**
     * The readers alone, without libwasmer: every input yields a result or a CompileException, nothing else, and
     * none spins (a time limit stops the run rather than the build).
     */
    @Test
    void theBindingsOwnReadersAreTotal() {
        int count = Scale.of(20_000, 500_000);
        Random random = new Random(Long.getLong("wasmer.fuzz.seed", 20261201L));
        List<byte[]> seeds = new ArrayList<>(
                MutationFuzzTest.SEEDS.stream().map(Wasmer::wat2wasm).toList());
        seeds.add(Wasmer.wat2wasm(TestModules.TRAPS));
        List<String> other = new ArrayList<>();
        int[] outcomes = new int[2]; // read, refused
        assertTimeoutPreemptively(Duration.ofSeconds(Scale.of(60, 600)), () -> {
            for (int i = 0; i < count; i++) {
                byte[] wasm =
                        i % 4 == 0 ? random(random) : MutationFuzzTest.mutate(seeds.get(i % seeds.size()), random);
                try {
                    ModuleInfo.read(wasm);
                    LimitsCap.apply(wasm, 4, 10);
                    outcomes[0]++;
                } catch (CompileException | MalformedWasmException e) {
                    outcomes[1]++;
                } catch (RuntimeException | OutOfMemoryError | StackOverflowError e) {
                    other.add(HexFormat.of().formatHex(wasm) + ": " + e);
                }
            }
        });
        System.out.printf(
                "UntrustedBytesTest: %d inputs, read=%d refused=%d other=%d%n",
                count, outcomes[0], outcomes[1], other.size());
        assertThat(other).isEmpty();
        assertThat(outcomes[0]).as("some inputs are still modules").isPositive();
    }

    /** The header, then up to 40 random bytes biased towards large LEB128 bytes and small section ids. */
    static byte[] random(Random r) {
        byte[] b = Arrays.copyOf(hex("0061736d 01000000"), 8 + r.nextInt(41));
        for (int i = 8; i < b.length; i++) {
            b[i] = (byte)
                    switch (r.nextInt(3)) {
                        case 0 -> 0x80 | r.nextInt(128);
                        case 1 -> r.nextInt(14);
                        default -> r.nextInt(256);
                    };
        }
        return b;
    }
}
