package dev.wasmerffm.spec;

import dev.wasmerffm.CompileException;
import dev.wasmerffm.Engine;
import dev.wasmerffm.Extern;
import dev.wasmerffm.Func;
import dev.wasmerffm.FuncType;
import dev.wasmerffm.Global;
import dev.wasmerffm.GlobalType;
import dev.wasmerffm.Imports;
import dev.wasmerffm.Instance;
import dev.wasmerffm.Limits;
import dev.wasmerffm.LinkException;
import dev.wasmerffm.Memory;
import dev.wasmerffm.MemoryType;
import dev.wasmerffm.Module;
import dev.wasmerffm.Store;
import dev.wasmerffm.Table;
import dev.wasmerffm.TableType;
import dev.wasmerffm.TrapException;
import dev.wasmerffm.ValType;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs one wast2json script through the public API, in a store of its own: each command counts once, as passed or
 * failed with a short reason ({@link Result}).
 */
final class SpecFile {

    /** One command's outcome; {@code reason} null when it passed. */
    record Outcome(int line, String type, String reason) {}

    /** A file's outcomes. */
    record Result(String file, List<Outcome> outcomes) {
        long passed() {
            return outcomes.stream().filter(o -> o.reason() == null).count();
        }
    }

    /** Thrown for a command whose outcome differs from the script's: the message is the reason. */
    static final class Mismatch extends RuntimeException {
        Mismatch(String reason) {
            super(reason, null, false, false);
        }
    }

    private final Path dir;
    private final Engine engine;
    private final Store store;
    private final Imports imports = new Imports();
    private final Map<String, Instance> named = new HashMap<>();
    /** The externref values of the script, by number: the same object each time, so results compare by identity. */
    private final Map<Long, Object> externs = new HashMap<>();

    private Instance last;
    /** Every module compiled, closed with the store: nothing is left for the Cleaner (LeakTest counts). */
    private final List<Module> modules = new ArrayList<>();

    private SpecFile(Path dir, Engine engine) {
        this.dir = dir;
        this.engine = engine;
        this.store = new Store(engine);
        spectest();
    }

    @SuppressWarnings("unchecked")
    static Result run(Path json, Engine engine) throws IOException {
        Map<String, Object> script = (Map<String, Object>) Json.parse(Files.readString(json));
        String name = json.getFileName().toString().replace(".json", ".wast");
        List<Outcome> outcomes = new ArrayList<>();
        SpecFile f = new SpecFile(json.getParent(), engine);
        try {
            for (Object o : (List<Object>) script.get("commands")) {
                Map<String, Object> c = (Map<String, Object>) o;
                String type = (String) c.get("type");
                String reason;
                try {
                    f.command(type, c);
                    reason = null;
                } catch (Mismatch m) {
                    reason = m.getMessage();
                } catch (RuntimeException e) {
                    reason = e.getClass().getSimpleName() + ": " + firstLine(e.getMessage());
                }
                outcomes.add(new Outcome((int) (long) (Long) c.get("line"), type, reason));
            }
        } finally {
            f.store.close();
            f.modules.forEach(Module::close);
        }
        return new Result(name, outcomes);
    }

    private static String firstLine(String m) {
        if (m == null) {
            return "";
        }
        String l = m.lines().findFirst().orElse("");
        return l.length() > 120 ? l.substring(0, 120) : l;
    }

    /** The spec interpreter's "spectest" module. */
    private void spectest() {
        for (var p : List.of(
                List.<ValType>of(),
                List.of(ValType.I32),
                List.of(ValType.I64),
                List.of(ValType.F32),
                List.of(ValType.F64),
                List.of(ValType.I32, ValType.F32),
                List.of(ValType.F64, ValType.F64))) {
            String n = p.isEmpty()
                    ? "print"
                    : "print_"
                            + String.join("_", p.stream().map(ValType::toString).toList());
            imports.define("spectest", n, Func.host(store, FuncType.of(p, List.of()), call -> {}));
        }
        imports.define("spectest", "global_i32", Global.create(store, new GlobalType(ValType.I32, false), 666));
        imports.define("spectest", "global_i64", Global.create(store, new GlobalType(ValType.I64, false), 666L));
        imports.define("spectest", "global_f32", Global.create(store, new GlobalType(ValType.F32, false), 666.6f));
        imports.define("spectest", "global_f64", Global.create(store, new GlobalType(ValType.F64, false), 666.6));
        imports.define(
                "spectest", "table", Table.create(store, new TableType(ValType.FUNCREF, new Limits(10, 20)), null));
        imports.define("spectest", "memory", Memory.create(store, new MemoryType(new Limits(1, 2))));
    }

    @SuppressWarnings("unchecked")
    private void command(String type, Map<String, Object> c) throws IOException {
        switch (type) {
            case "module" -> {
                last = null; // a module that fails leaves no instance for the commands after it
                last = instantiate(compile((String) c.get("filename")));
                if (c.get("name") instanceof String n) {
                    named.put(n, last);
                }
            }
            case "register" -> {
                Instance i = instance(c.get("name"));
                for (Map.Entry<String, Extern> e : i.exports().entrySet()) {
                    imports.define((String) c.get("as"), e.getKey(), e.getValue());
                }
            }
            case "action" -> action((Map<String, Object>) c.get("action"));
            case "assert_return" -> {
                Object[] got = action((Map<String, Object>) c.get("action"));
                List<Object> expected = (List<Object>) c.get("expected");
                if (got.length != expected.size()) {
                    throw new Mismatch("returned " + got.length + " values, expected " + expected.size());
                }
                for (int i = 0; i < got.length; i++) {
                    Values.expect((Map<String, Object>) expected.get(i), got[i], externs);
                }
            }
            case "assert_trap", "assert_exhaustion" -> {
                try {
                    action((Map<String, Object>) c.get("action"));
                } catch (TrapException expected) {
                    return;
                }
                throw new Mismatch("did not trap (expected \"" + c.get("text") + "\")");
            }
            case "assert_invalid", "assert_malformed" -> {
                try {
                    compile((String) c.get("filename"));
                } catch (CompileException expected) {
                    return;
                }
                throw new Mismatch(type + " module compiles (expected \"" + c.get("text") + "\")");
            }
            case "assert_unlinkable", "assert_uninstantiable" -> {
                try {
                    instantiate(compile((String) c.get("filename")));
                } catch (LinkException | TrapException expected) {
                    boolean link = expected instanceof LinkException;
                    if (link == type.equals("assert_unlinkable")) {
                        return;
                    }
                    throw new Mismatch(
                            type + " module failed with " + expected.getClass().getSimpleName());
                }
                throw new Mismatch(type + " module instantiates (expected \"" + c.get("text") + "\")");
            }
            default -> throw new Mismatch("unknown command " + type);
        }
    }

    /** A binary with {@link Module#fromBinary}, a text module (the {@code module quote} ones) with the WAT compiler. */
    private Module compile(String file) throws IOException {
        byte[] bytes = Files.readAllBytes(dir.resolve(file));
        Module m = file.endsWith(".wat")
                ? Module.compile(engine, new String(bytes, StandardCharsets.UTF_8))
                : Module.fromBinary(engine, bytes);
        modules.add(m);
        return m;
    }

    private Instance instantiate(Module m) {
        return Instance.create(store, m, imports);
    }

    /** The instance a script names ({@code $name}), or the last one made. */
    private Instance instance(Object name) {
        Instance i = name instanceof String n ? named.get(n) : last;
        if (i == null) {
            throw new Mismatch("no instance (its module failed)");
        }
        return i;
    }

    @SuppressWarnings("unchecked")
    private Object[] action(Map<String, Object> a) {
        Instance i = instance(a.get("module"));
        String field = (String) a.get("field");
        if (a.get("type").equals("get")) {
            return new Object[] {i.global(field).get()};
        }
        List<Object> args = (List<Object>) a.get("args");
        Object[] values = new Object[args.size()];
        for (int k = 0; k < values.length; k++) {
            values[k] = Values.arg((Map<String, Object>) args.get(k), externs);
        }
        return i.func(field).call(values);
    }

    /** Outcomes grouped by reason, for the table: reason to line numbers. */
    static Map<String, List<Integer>> failures(Result r) {
        Map<String, List<Integer>> m = new LinkedHashMap<>();
        for (Outcome o : r.outcomes()) {
            if (o.reason() != null) {
                m.computeIfAbsent(o.type() + ": " + o.reason(), k -> new ArrayList<>())
                        .add(o.line());
            }
        }
        return m;
    }
}
