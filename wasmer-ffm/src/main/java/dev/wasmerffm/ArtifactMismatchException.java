package dev.wasmerffm;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A serialized module is authentic but not what the caller may load: it holds another module than the one expected,
 * or it was compiled by an engine configured differently from the loading one (libwasmer version, target and CPU
 * features, backend, features, NaN mode, memory or table cap, metering, deadlines). Its code would keep what it was
 * compiled with, so it was not given to libwasmer; compile the module again.
 */
public final class ArtifactMismatchException extends CompileException {

    /**
     * One fact on which the artifact and the loader disagree.
     *
     * @param fact {@code module} for the module's identity, else the engine fact ({@code target}, {@code metering},
     *     {@code maxMemoryPages}, ...)
     * @param artifact the artifact's value
     * @param expected the loader's value
     */
    public record Difference(String fact, String artifact, String expected) {
        @Override
        public String toString() {
            return fact + " is " + artifact + " in the artifact, " + expected + " here";
        }
    }

    private final transient List<Difference> differences;

    ArtifactMismatchException(List<Difference> differences) {
        super("serialized module not loaded: "
                + differences.stream().map(Difference::toString).collect(Collectors.joining("; "))
                + "; compile it again");
        this.differences = List.copyOf(differences);
    }

    /** Each fact that differs. */
    public List<Difference> differences() {
        return differences;
    }

    /** The engine facts ({@code name=value;...}, as {@code Config} writes them) that differ, in a list to add to. */
    static List<Difference> differences(String artifact, String engine) {
        List<Difference> out = new ArrayList<>();
        if (artifact.equals(engine)) {
            return out;
        }
        Map<String, String> a = parse(artifact);
        Map<String, String> e = parse(engine);
        Set<String> names = new LinkedHashSet<>(e.keySet());
        names.addAll(a.keySet());
        for (String name : names) {
            if (!Objects.equals(a.get(name), e.get(name))) {
                out.add(new Difference(name, a.getOrDefault(name, "absent"), e.getOrDefault(name, "absent")));
            }
        }
        if (out.isEmpty()) { // same facts, written differently (a fact repeated): still not the same
            out.add(new Difference("engine facts", artifact, engine));
        }
        return out;
    }

    private static Map<String, String> parse(String facts) {
        Map<String, String> map = new LinkedHashMap<>();
        for (String fact : facts.split(";")) {
            int eq = fact.indexOf('=');
            map.merge(
                    eq < 0 ? fact : fact.substring(0, eq), eq < 0 ? "" : fact.substring(eq + 1), (x, y) -> x + ";" + y);
        }
        return map;
    }
}
