package dev.wasmerffm.extism;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The JSON this package reads (Extism manifests, a plugin's HTTP requests) and writes (response headers). Hand-written
 * because the binding has no JSON library among its dependencies (Jackson is a test dependency only) and these
 * documents are small and flat: RFC 8259, objects as {@link LinkedHashMap}, arrays as {@link List}, numbers as
 * {@link BigDecimal}; nesting deeper than {@value #MAX_DEPTH} is refused, so hostile input cannot exhaust the stack.
 */
final class Json {

    static final int MAX_DEPTH = 64;

    /** Malformed JSON, naming the offset. */
    static final class Malformed extends IllegalArgumentException {
        Malformed(String message) {
            super(message);
        }
    }

    private final String s;
    private int at;

    private Json(String s) {
        this.s = s;
    }

    /** The one JSON value of {@code text}. */
    static Object parse(String text) {
        Json j = new Json(text);
        Object v = j.value(0);
        j.space();
        if (j.at != text.length()) {
            throw j.error("unexpected text after the JSON value");
        }
        return v;
    }

    private Malformed error(String what) {
        return new Malformed("malformed JSON at offset " + at + ": " + what);
    }

    private void space() {
        while (at < s.length() && " \t\r\n".indexOf(s.charAt(at)) >= 0) {
            at++;
        }
    }

    private Object value(int depth) {
        if (depth > MAX_DEPTH) {
            throw error("nested deeper than " + MAX_DEPTH);
        }
        space();
        if (at >= s.length()) {
            throw error("a value is missing");
        }
        char c = s.charAt(at);
        return switch (c) {
            case '{' -> object(depth);
            case '[' -> array(depth);
            case '"' -> string();
            case 't' -> word("true", Boolean.TRUE);
            case 'f' -> word("false", Boolean.FALSE);
            case 'n' -> word("null", null);
            default -> number();
        };
    }

    private Map<String, Object> object(int depth) {
        Map<String, Object> m = new LinkedHashMap<>();
        at++;
        space();
        if (peek('}')) {
            return m;
        }
        do {
            space();
            if (at >= s.length() || s.charAt(at) != '"') {
                throw error("an object key must be a string");
            }
            String key = string();
            space();
            expect(':');
            if (m.containsKey(key)) {
                throw error("duplicate key \"" + key + "\"");
            }
            m.put(key, value(depth + 1));
            space();
        } while (peek(','));
        expect('}');
        return m;
    }

    private List<Object> array(int depth) {
        List<Object> l = new ArrayList<>();
        at++;
        space();
        if (peek(']')) {
            return l;
        }
        do {
            l.add(value(depth + 1));
            space();
        } while (peek(','));
        expect(']');
        return l;
    }

    private boolean peek(char c) {
        if (at < s.length() && s.charAt(at) == c) {
            at++;
            return true;
        }
        return false;
    }

    private void expect(char c) {
        if (!peek(c)) {
            throw error("expected '" + c + "'");
        }
    }

    private Object word(String w, Object v) {
        if (!s.startsWith(w, at)) {
            throw error("unexpected character '" + s.charAt(at) + "'");
        }
        at += w.length();
        return v;
    }

    private BigDecimal number() {
        int start = at;
        peek('-');
        int integer = at;
        if (!digits()) {
            at = start;
            throw error("not a JSON value");
        }
        if (s.charAt(integer) == '0' && at - integer > 1) {
            throw error("a number cannot start with 0");
        }
        if (peek('.') && !digits()) {
            throw error("a fraction needs digits");
        }
        if (peek('e') || peek('E')) {
            if (!peek('+')) {
                peek('-');
            }
            if (!digits()) {
                throw error("an exponent needs digits");
            }
        }
        return new BigDecimal(s.substring(start, at));
    }

    private boolean digits() {
        int start = at;
        while (at < s.length() && s.charAt(at) >= '0' && s.charAt(at) <= '9') {
            at++;
        }
        return at > start;
    }

    private String string() {
        at++; // the opening quote
        StringBuilder b = new StringBuilder();
        while (true) {
            if (at >= s.length()) {
                throw error("unterminated string");
            }
            char c = s.charAt(at++);
            if (c == '"') {
                return b.toString();
            }
            if (c < 0x20) {
                throw error("control character in a string");
            }
            if (c != '\\') {
                b.append(c);
                continue;
            }
            if (at >= s.length()) {
                throw error("unterminated escape");
            }
            char e = s.charAt(at++);
            switch (e) {
                case '"', '\\', '/' -> b.append(e);
                case 'b' -> b.append('\b');
                case 'f' -> b.append('\f');
                case 'n' -> b.append('\n');
                case 'r' -> b.append('\r');
                case 't' -> b.append('\t');
                case 'u' -> {
                    if (at + 4 > s.length()) {
                        throw error("short \\u escape");
                    }
                    try {
                        b.append((char) Integer.parseInt(s.substring(at, at + 4), 16));
                    } catch (NumberFormatException x) {
                        throw error("bad \\u escape");
                    }
                    at += 4;
                }
                default -> throw error("bad escape \\" + e);
            }
        }
    }

    /** {@code value} (a string, or a map of strings to strings) as JSON text. */
    static String write(Object value) {
        StringBuilder b = new StringBuilder();
        write(b, value);
        return b.toString();
    }

    private static void write(StringBuilder b, Object value) {
        switch (value) {
            case String str -> quote(b, str);
            case Map<?, ?> m -> {
                b.append('{');
                String sep = "";
                for (Map.Entry<?, ?> e : m.entrySet()) {
                    b.append(sep);
                    quote(b, e.getKey().toString());
                    b.append(':');
                    write(b, e.getValue());
                    sep = ",";
                }
                b.append('}');
            }
            default -> throw new IllegalArgumentException("cannot write " + value.getClass() + " as JSON");
        }
    }

    private static void quote(StringBuilder b, String str) {
        b.append('"');
        for (int i = 0; i < str.length(); i++) {
            char c = str.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        b.append('"');
    }
}
