package dev.wasmerffm.extism;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wasmerffm.MeteringExhaustedException;
import dev.wasmerffm.Wasmer;
import org.junit.jupiter.api.Test;

/** {@link Plugin#pointsUsed()}: what the last call used, also when it ran out and its store was dropped. */
class PluginPointsTest {

    static final byte[] PLUGIN = Wasmer.wat2wasm("""
            (module
              (import "extism:host/env" "input_offset" (func $in (result i64)))
              (import "extism:host/env" "input_length" (func $len (result i64)))
              (import "extism:host/env" "output_set" (func $out (param i64 i64)))
              (func (export "echo") (result i32) (call $out (call $in) (call $len)) i32.const 0)
              (func (export "spin") (result i32) (loop br 0) i32.const 0))
            """.getBytes(UTF_8));

    @Test
    void theLastCallsPointsBeforeAfterAndPastTheBudget() {
        long budget = 100_000;
        try (Plugin p = Plugin.builder().wasm(PLUGIN).points(budget).build()) {
            assertThat(p.pointsUsed()).as("no call yet").isEqualTo(-1);
            p.call("echo", "a".getBytes(UTF_8));
            long first = p.pointsUsed(); // with the store's one-time setup
            assertThat(first).isPositive().isLessThan(budget);
            p.call("echo", "a".getBytes(UTF_8));
            long steady = p.pointsUsed();
            assertThat(steady).isPositive().isLessThanOrEqualTo(first);
            p.call("echo", "a".getBytes(UTF_8));
            assertThat(p.pointsUsed()).as("each call gets the budget again").isEqualTo(steady);
            assertThatThrownBy(() -> p.call("spin", new byte[0])).isInstanceOf(MeteringExhaustedException.class);
            assertThat(p.pointsUsed()).as("read before its store went").isGreaterThanOrEqualTo(budget);
            p.call("echo", "a".getBytes(UTF_8));
            assertThat(p.pointsUsed()).as("a fresh store, set up again").isEqualTo(first);
        }
        try (Plugin p = Plugin.builder().wasm(PLUGIN).build()) {
            p.call("echo", "a".getBytes(UTF_8));
            assertThat(p.pointsUsed()).as("no points").isEqualTo(-1);
        }
    }
}
