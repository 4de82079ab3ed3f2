package dev.wasmerffm;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Mutated modules through validate, compile, instantiate and call, metered, memory- and table-capped: only
 * {@link WasmerException}s may come out (counted and reported; a crash would end this JVM and fail the build), and
 * every native object made is freed.
 * Long size with {@code -Dwasmer.reliability=long}.
 */
class MutationFuzzTest {

    static final List<String> SEEDS = List.of("""
            (module
              (memory (export "m") 1 2)
              (global $g (mut i64) (i64.const 5))
              (table 4 funcref)
              (elem (i32.const 1) $f)
              (func $f (param i32 i64) (result i64) local.get 1 global.get $g i64.add)
              (func (export "loop") (param i32) (result i32) (local i32)
                (block (loop (br_if 1 (i32.ge_u (local.get 1) (local.get 0)))
                  (i32.store (i32.and (local.get 1) (i32.const 0xfffc)) (local.get 1))
                  (local.set 1 (i32.add (local.get 1) (i32.const 1))) (br 0)))
                (call $f (local.get 1) (i64.const 2)) drop local.get 1)
              (func (export "grow") (param i32) (result i32) local.get 0 memory.grow)
              (func (export "f64") (param f64 f32) (result f64) local.get 0 local.get 1 f64.promote_f32 f64.div))
            """, """
            (module (import "env" "h" (func (param i32)))
              (func (export "run") i32.const 1 call 0))
            """);

    @Test
    void mutatedModulesGiveTypedExceptionsOnly() throws InterruptedException {
        int count = Scale.of(5_000, 100_000);
        long liveBefore = LiveObjects.settled();
        long seed = Long.getLong("wasmer.fuzz.seed", 20261125L);
        Random random = new Random(seed);
        List<byte[]> corpus = SEEDS.stream().map(Wasmer::wat2wasm).toList();
        corpus = new ArrayList<>(corpus);
        corpus.add(Wasmer.wat2wasm(TestModules.TRAPS));
        int[] outcomes = new int[4]; // invalid, valid but refused, instantiate/call error, ran
        List<String> untyped = new ArrayList<>();
        Config config = new Config()
                .backend(Backend.SINGLEPASS)
                .metering(Metering.of(100_000))
                .maxMemory(4 * 65536)
                .maxTableElements(64);
        try (Engine engine = new Engine(config)) {
            for (int i = 0; i < count; i++) {
                byte[] wasm = mutate(corpus.get(random.nextInt(corpus.size())), random);
                try {
                    outcomes[run(engine, wasm)]++;
                } catch (WasmerException e) {
                    outcomes[2]++; // typed, expected for broken input
                } catch (RuntimeException | OutOfMemoryError | StackOverflowError e) {
                    untyped.add("case " + i + " (seed " + seed + ", "
                            + HexFormat.of().formatHex(wasm) + "): " + e);
                }
            }
        }
        System.out.printf(
                "MutationFuzzTest: %d modules, invalid=%d valid-but-refused=%d instantiate/call-error=%d "
                        + "ran=%d untyped=%d%n",
                count, outcomes[0], outcomes[1], outcomes[2], outcomes[3], untyped.size());
        assertThat(untyped).as("exceptions that are not WasmerExceptions").isEmpty();
        assertThat(outcomes[3]).as("some mutants still run").isPositive();
        assertThat(LiveObjects.settled())
                .as("native objects left after fuzzing")
                .isEqualTo(liveBefore);
    }

    static byte[] mutate(byte[] seed, Random r) {
        byte[] b = seed.clone();
        int edits = 1 + r.nextInt(4);
        for (int e = 0; e < edits; e++) {
            int at = 8 + r.nextInt(b.length - 8); // keep the header, so most mutants reach the parsers
            switch (r.nextInt(4)) {
                case 0 -> b[at] = (byte) r.nextInt(256);
                case 1 -> b[at] ^= (byte) (1 << r.nextInt(8));
                case 2 -> b = Arrays.copyOf(b, Math.max(9, at)); // truncate
                default -> { // duplicate a byte
                    byte[] c = new byte[b.length + 1];
                    System.arraycopy(b, 0, c, 0, at);
                    c[at] = b[at];
                    System.arraycopy(b, at, c, at + 1, b.length - at);
                    b = c;
                }
            }
        }
        return b;
    }

    /**
     * 0 invalid and refused, 1 valid to libwasmer but refused (e.g. a minimum above the cap), 3 ran its functions
     * (each call may trap: that is fine). Invalid modules are compiled too: the binding's own readers must refuse
     * them typed.
     */
    static int run(Engine engine, byte[] wasm) {
        boolean valid = Module.validate(engine, wasm);
        Module module;
        try {
            module = Module.compile(engine, wasm);
        } catch (WasmerException e) {
            return valid ? 1 : 0;
        }
        try (module;
                Store store = new Store(module)) {
            Extern[] stubs = stubs(store, module);
            try (Instance in = Instance.create(store, module, stubs)) {
                for (Extern e : in.exports().values()) {
                    if (e instanceof Func f
                            && !f.type().hasV128()
                            && f.type().params().stream().noneMatch(ValType::isReference)) {
                        try {
                            f.call(f.type().params().stream()
                                    .map(MutationFuzzTest::zero)
                                    .toArray());
                        } catch (WasmerException trapOrArgs) {
                            // traps, metering and argument errors are the expected outcomes
                        }
                    }
                }
                return 3;
            } finally {
                for (Extern stub : stubs) {
                    if (stub != null) {
                        stub.close();
                    }
                }
            }
        }
    }

    /** Host functions returning zeros for every function import; other imports are left missing (LinkException). */
    static Extern[] stubs(Store store, Module module) {
        return module.imports().stream()
                .map(i -> i.type() instanceof FuncType t && !t.hasV128() ? Func.host(store, t, c -> {}) : null)
                .toArray(Extern[]::new);
    }

    static Object zero(ValType t) {
        return switch (t) {
            case I32 -> 0;
            case I64 -> 0L;
            case F32 -> 0f;
            case F64 -> 0d;
            default -> null;
        };
    }
}
