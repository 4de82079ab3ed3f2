package dev.wasmerffm;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.Arrays;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class ConfigTest {

    /** One change per field of {@link Config}: a field added without an entry here fails the test. */
    static final Map<String, Consumer<Config>> CHANGE_OF_FIELD = Map.of(
            "backend", c -> c.backend(Backend.SINGLEPASS),
            "features", c -> c.feature(Feature.values()[0], false),
            "target", c -> c.target(Target.of("aarch64-unknown-linux-gnu")),
            "canonicalizeNans", c -> c.canonicalizeNans(true),
            "metering", c -> c.metering(Metering.of(10)),
            "deadlines", c -> c.deadlines(true),
            "maxMemoryPages", c -> c.maxMemory(Memory.PAGE_SIZE),
            "maxTableElements", c -> c.maxTableElements(5));

    @Test
    void everySettingChangesTheCompiledCodeKey() {
        var fields = Arrays.stream(Config.class.getDeclaredFields())
                .filter(f -> !Modifier.isStatic(f.getModifiers()))
                .map(Field::getName)
                .toList();
        assertThat(CHANGE_OF_FIELD.keySet())
                .as("every Config field has a change here, and is in compiledCodeFacts")
                .containsExactlyInAnyOrderElementsOf(fields);
        String plain = new Config().compiledCodeFacts();
        CHANGE_OF_FIELD.forEach((field, change) -> {
            Config c = new Config();
            change.accept(c);
            assertThat(c.compiledCodeFacts()).as(field).isNotEqualTo(plain);
            assertThat(c.copy().compiledCodeFacts()).as("copy keeps " + field).isEqualTo(c.compiledCodeFacts());
        });
    }

    @Test
    void meteringCostsAreInTheKeyNotJustTheirCount() {
        String one = new Config().metering(Metering.of(10)).compiledCodeFacts();
        String dearCalls = new Config()
                .metering(Metering.of(10, op -> op.equals("Call") ? 7 : 1))
                .compiledCodeFacts();
        assertThat(dearCalls).isNotEqualTo(one);
        assertThat(new Config().metering(Metering.of(10, op -> 1)).compiledCodeFacts())
                .isEqualTo(one);
    }
}
