package dev.wasmerffm.extism;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTest {

    @Test
    void readsEveryKindOfValue() {
        assertThat(Json.parse(" {\"a\": [1, -2.5e3, true, false, null], \"b\": \"x\\u00e9\\n\\\"\", \"c\": {}} "))
                .isEqualTo(Map.of(
                        "a",
                        java.util.Arrays.asList(new BigDecimal("1"), new BigDecimal("-2.5e3"), true, false, null),
                        "b",
                        "x\u00e9\n\"",
                        "c",
                        Map.of()));
        assertThat(Json.parse("[]")).isEqualTo(List.of());
    }

    @Test
    void refusesMalformedTextNamingTheOffset() {
        for (String bad : List.of(
                "",
                "{",
                "[1,]",
                "{\"a\" 1}",
                "{\"a\":1,\"a\":2}",
                "01",
                "1.",
                "-",
                "\"\u0001\"",
                "\"\\x\"",
                "tru",
                "{} x",
                "{1:2}",
                "\"\\u12\"")) {
            assertThatThrownBy(() -> Json.parse(bad))
                    .as(bad)
                    .isInstanceOf(Json.Malformed.class)
                    .hasMessageContaining("malformed JSON at offset");
        }
    }

    @Test
    void deepNestingIsRefusedWithoutExhaustingTheStack() {
        String deep = "[".repeat(100_000) + "]".repeat(100_000);
        assertThatThrownBy(() -> Json.parse(deep)).hasMessageContaining("nested deeper than 64");
    }

    @Test
    void writesStringMapsWithEscapes() {
        assertThat(Json.write(Map.of("k\"", "v\\\n\u0001"))).isEqualTo("{\"k\\\"\":\"v\\\\\\n\\u0001\"}");
    }
}
