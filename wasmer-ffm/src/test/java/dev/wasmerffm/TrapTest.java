package dev.wasmerffm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every trap kind becomes a typed exception with message and frames; the store stays usable. */
class TrapTest {

    static Engine engine;
    static Module module;

    @BeforeAll
    static void compile() {
        engine = new Engine();
        module = Module.compile(engine, TestModules.TRAPS);
    }

    @AfterAll
    static void free() {
        module.close();
        engine.close();
    }

    @ParameterizedTest
    @CsvSource({
        "unreachable, UNREACHABLE",
        "oob, MEMORY_OUT_OF_BOUNDS",
        "div0, INTEGER_DIVIDE_BY_ZERO",
        "overflow, INTEGER_OVERFLOW",
        "conversion, BAD_CONVERSION_TO_INTEGER",
        "bad_sig, INDIRECT_CALL_TYPE_MISMATCH",
        "undefined, UNINITIALIZED_ELEMENT",
        "table_oob, TABLE_OUT_OF_BOUNDS",
        "stack, STACK_OVERFLOW"
    })
    void eachTrapKindIsTyped(String export, TrapKind kind) {
        try (Store store = new Store(engine);
                Instance instance = Instance.create(store, module)) {
            Func f = instance.func(export);
            assertThatThrownBy(f::call).isInstanceOfSatisfying(TrapException.class, e -> {
                assertThat(e.kind()).as(e.getMessage()).isEqualTo(kind);
                assertThat(e.trapMessage()).isNotBlank();
                assertThat(e.getMessage()).contains(export);
                if (kind != TrapKind.STACK_OVERFLOW) { // libwasmer gives no frames for a stack overflow
                    assertThat(e.frames()).isNotEmpty();
                }
                assertThat(e.getCause()).isNull();
            });
            // the store and instance keep working after a trap
            assertThat(instance.func("ok").asIntSupplier().getAsInt()).isEqualTo(7);
        }
    }

    @ParameterizedTest
    @CsvSource({"unreachable"})
    void framesCarryFunctionIndexOffsetsAndNames(String export) {
        try (Store store = new Store(engine);
                Instance instance = Instance.create(store, module)) {
            TrapException e = (TrapException) org.assertj.core.api.Assertions.catchThrowable(
                    () -> instance.func(export).call());
            TrapFrame origin = e.frames().getFirst();
            assertThat(origin.funcIndex()).isEqualTo(1);
            assertThat(origin.moduleOffset()).isPositive();
            assertThat(origin.funcOffset()).isPositive();
            assertThat(origin.funcName()).isEqualTo("unreachable");
            assertThat(origin.moduleName()).isEqualTo("traps");
        }
    }
}
