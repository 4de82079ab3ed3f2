package dev.wasmerffm.spring.boot.interop;

import dev.wasmerffm.ExportType;
import dev.wasmerffm.Func;
import dev.wasmerffm.FuncType;
import dev.wasmerffm.Instance;
import dev.wasmerffm.Memory;
import dev.wasmerffm.ValType;
import dev.wasmerffm.WasmerException;
import dev.wasmerffm.pool.WasmInstancePool;
import dev.wasmerffm.pool.WasmModules;
import dev.wasmerffm.spring.boot.annotation.WasmFunction;
import dev.wasmerffm.spring.boot.annotation.WasmModule;
import dev.wasmerffm.spring.boot.modules.WasmModuleInterfaceException;
import java.lang.reflect.Array;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * Implements {@link WasmModule} interfaces: every method is checked against the module's exports once, here, and
 * then calls its export on a pooled instance.
 */
public final class WasmModuleInterfaces {

    private static final FuncType ALLOC = FuncType.of(List.of(ValType.I32), List.of(ValType.I32));
    private static final FuncType DEALLOC = FuncType.of(List.of(ValType.I32, ValType.I32), List.of());

    private WasmModuleInterfaces() {}

    /**
     * An implementation of {@code type}, which must carry {@link WasmModule}; {@link WasmModuleInterfaceException}
     * naming the method, the export and both signatures when they do not match.
     */
    public static <T> T create(Class<T> type, WasmModules modules, WasmInstancePool pool) {
        return create(type, modules, pool, new PluginPayloads(() -> null));
    }

    /**
     * {@link #create(Class, WasmModules, WasmInstancePool)}, with {@code payloads} mapping the inputs and outputs of
     * an Extism plugin's methods.
     */
    public static <T> T create(Class<T> type, WasmModules modules, WasmInstancePool pool, PluginPayloads payloads) {
        WasmModule annotation = type.getAnnotation(WasmModule.class);
        if (!type.isInterface() || annotation == null) {
            throw new IllegalArgumentException(type.getName() + " is not an interface annotated with @WasmModule");
        }
        String module = annotation.value();
        Map<Method, Binding> bindings = bindings(type, module, modules.get(module), payloads);
        WasmModules.Hold hold = modules.hold(module, holder(type));
        // A replacement registered at runtime must fit too: the proxy keeps the signatures it was bound to.
        modules.checkOnRegister(e -> {
            if (e.name().equals(module)) {
                bindings(type, module, e, payloads);
            }
        });
        InvocationHandler handler = new Handler(type, module, bindings, pool, hold);
        return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, handler));
    }

    /**
     * Lets the module of {@code proxy} (made by {@link #create}) be removed: its calls then fail with
     * {@link dev.wasmerffm.pool.UnknownModuleException} until a module of that name is registered again, and health
     * reports the interface DOWN meanwhile.
     */
    public static void unbind(Object proxy) {
        if (!Proxy.isProxyClass(proxy.getClass()) || !(Proxy.getInvocationHandler(proxy) instanceof Handler h)) {
            throw new IllegalArgumentException(proxy.getClass().getName() + " is not a @WasmModule interface's proxy");
        }
        h.hold.close();
    }

    /** What {@link WasmModules#remove} names as holding the module. */
    private static String holder(Class<?> type) {
        return "@WasmModule interface " + type.getName();
    }

    /** Calls each bound method's export; holds the module while bound. */
    private record Handler(
            Class<?> type, String module, Map<Method, Binding> bindings, WasmInstancePool pool, WasmModules.Hold hold)
            implements InvocationHandler {

        @Override
        public @Nullable Object invoke(Object proxy, Method method, @Nullable Object @Nullable [] args)
                throws Throwable {
            Binding binding = bindings.get(method);
            if (binding != null) {
                return binding.call(pool, args);
            }
            if (method.isDefault()) {
                return InvocationHandler.invokeDefault(proxy, method, args);
            }
            return switch (method.getName()) {
                case "equals" -> proxy == Objects.requireNonNull(args)[0];
                case "hashCode" -> System.identityHashCode(proxy);
                default -> type.getSimpleName() + "(wasm module '" + module + "')";
            };
        }
    }

    /** Each method of {@code type} bound to its export in {@code entry}; the typed exception if one does not fit. */
    private static Map<Method, Binding> bindings(
            Class<?> type, String module, WasmModules.Entry entry, PluginPayloads payloads) {
        Map<Method, Binding> bindings = new HashMap<>();
        for (Method m : type.getMethods()) {
            if (!m.isDefault() && !Modifier.isStatic(m.getModifiers())) {
                Binding b;
                if (entry.pluginWasm() != null) {
                    b = PluginMethod.of(m, module, entry, payloads);
                } else {
                    b = Batched.isBatch(m) ? Batched.of(m, module, entry) : Call.of(m, module, entry);
                }
                bindings.put(m, b);
            }
        }
        return bindings;
    }

    /** One method bound to its export. */
    private sealed interface Binding permits Call, Batched, PluginMethod {

        /** Calls the export on an instance of {@code pool} with the method's arguments (null for none). */
        @Nullable
        Object call(WasmInstancePool pool, @Nullable Object @Nullable [] args);
    }

    /** The export {@code m} calls: its {@link WasmFunction}'s, or the one of its name. */
    private static String exportOf(Method m) {
        WasmFunction named = m.getAnnotation(WasmFunction.class);
        return named != null ? named.value() : m.getName();
    }

    /** The type of the function {@code export} of {@code entry}; fails naming {@code m} if there is none. */
    private static FuncType exported(Method m, String module, WasmModules.Entry entry, String export) {
        FuncType actual = function(entry, export);
        if (actual == null) {
            throw new WasmModuleInterfaceException(
                    module,
                    WasmTypes.describe(m) + ": module '" + module
                            + "' exports no function '" + export + "' (its functions: "
                            + entry.module().exports().stream()
                                    .filter(e -> e.type() instanceof FuncType)
                                    .map(ExportType::name)
                                    .collect(Collectors.joining(", "))
                            + ")",
                    "Rename the method, or name the export with" + " @WasmFunction, or check that @WasmModule(\""
                            + module + "\") is the module meant.");
        }
        return actual;
    }

    private static @Nullable FuncType function(WasmModules.Entry entry, String name) {
        return entry.module()
                .export(name)
                .map(ExportType::type)
                .filter(FuncType.class::isInstance)
                .map(FuncType.class::cast)
                .orElse(null);
    }

    /** Fails naming {@code m} unless it {@code needs} the export's type; {@code types} is how Java maps to wasm. */
    private static void requireType(
            Method m, String module, String export, String needs, FuncType expected, FuncType actual, String types) {
        if (!expected.equals(actual)) {
            throw new WasmModuleInterfaceException(
                    module,
                    WasmTypes.describe(m) + " does not match export " + module + "." + export + ": " + needs + " "
                            + expected + ", the module has " + actual,
                    "Change " + WasmTypes.describe(m) + " to " + actual + " (" + types + ").");
        }
    }

    /**
     * A method of an Extism plugin: its argument (none, or one) encoded as the function's input, its output decoded
     * as its result ({@link PluginPayloads}), on a pooled plugin ({@link WasmInstancePool#call(String, String,
     * byte[])}).
     */
    private record PluginMethod(String module, String export, Method method, PluginPayloads payloads)
            implements Binding {

        private static final byte[] NO_INPUT = {};
        private static final FuncType RETURNS_CODE = FuncType.of(List.of(), List.of(ValType.I32));
        private static final FuncType RETURNS_NOTHING = FuncType.of(List.of(), List.of());

        static PluginMethod of(Method m, String module, WasmModules.Entry entry, PluginPayloads payloads) {
            String export = exportOf(m);
            FuncType actual = exported(m, module, entry, export);
            if (!actual.equals(RETURNS_CODE) && !actual.equals(RETURNS_NOTHING)) {
                throw new WasmModuleInterfaceException(
                        module,
                        WasmTypes.describe(m) + ": export " + module + "." + export + " has " + actual
                                + ", not a plugin function (() -> i32 or () -> ())",
                        "Bind the method to a function the PDK exports (#[plugin_fn], //go:wasmexport).");
            }
            if (m.getParameterCount() > 1) {
                throw new WasmModuleInterfaceException(
                        module,
                        WasmTypes.describe(m) + " takes " + m.getParameterCount()
                                + " parameters; a plugin function takes one input",
                        "Pass one value: byte[], String, or a type the JSON mapper maps (e.g. a record).");
            }
            try {
                for (Class<?> p : m.getParameterTypes()) {
                    payloads.requireMapping(m, p);
                }
                if (m.getReturnType() != void.class) {
                    payloads.requireMapping(m, m.getReturnType());
                }
            } catch (IllegalStateException e) {
                throw new WasmModuleInterfaceException(
                        module,
                        String.valueOf(e.getMessage()),
                        "Add Jackson to the application, or pass byte[] or String.");
            }
            return new PluginMethod(module, export, m, payloads);
        }

        @Override
        public @Nullable Object call(WasmInstancePool pool, @Nullable Object @Nullable [] args) {
            byte[] input = args == null || args.length == 0 ? NO_INPUT : payloads.encode(args[0]);
            byte[] output = pool.call(module, export, input);
            Class<?> r = method.getReturnType();
            return r == void.class ? null : payloads.decode(output, r, method.getGenericReturnType());
        }
    }

    /**
     * A method of number arrays: its export applied to every row of its columns in one batch
     * ({@link WasmInstancePool#batch}).
     *
     * @param result the element type of the result column, or null for a void method
     */
    private record Batched(
            String module,
            String export,
            Method method,
            @Nullable Class<?> result) implements Binding {

        /** Whether {@code m} takes or returns a column: then it is a batch, and must take and return only those. */
        static boolean isBatch(Method m) {
            return WasmTypes.ofColumn(m.getReturnType()) != null
                    || Arrays.stream(m.getParameterTypes()).anyMatch(p -> WasmTypes.ofColumn(p) != null);
        }

        static Batched of(Method m, String module, WasmModules.Entry entry) {
            String export = exportOf(m);
            List<ValType> params = new ArrayList<>();
            for (Class<?> p : m.getParameterTypes()) {
                params.add(column(m, module, p, "parameter"));
            }
            if (params.isEmpty()) {
                throw new WasmModuleInterfaceException(
                        module,
                        WasmTypes.describe(m) + " returns an array but takes" + " none, so it has no rows",
                        "Pass the export's arguments as arrays, one per parameter.");
            }
            Class<?> r = m.getReturnType();
            List<ValType> results = r == void.class ? List.of() : List.of(column(m, module, r, "result"));
            requireType(
                    m,
                    module,
                    export,
                    "its rows need",
                    FuncType.of(params, results),
                    exported(m, module, entry, export),
                    "int[], long[], float[], double[] for columns of i32, i64,"
                            + " f32, f64; one array result, or void for none: an export of several results cannot be"
                            + " batched");
            if (entry.module().isMetered()) {
                throw new WasmModuleInterfaceException(
                        module,
                        WasmTypes.describe(m) + " is a batch, and module '" + module
                                + "' is metered: batches run on unmetered modules only",
                        "Call the export row by row (int, long, float, double), or compile module '" + module
                                + "' unmetered: wasmer.modules.settings." + module + ".call-timeout=0 (deadlines,"
                                + " the 10 s default too, meter a module; the others keep theirs) and no"
                                + " wasmer.metering.enabled.");
            }
            return new Batched(module, export, m, r == void.class ? null : r.getComponentType());
        }

        private static ValType column(Method m, String module, Class<?> type, String what) {
            ValType t = WasmTypes.ofColumn(type);
            if (t == null) {
                throw new WasmModuleInterfaceException(
                        module,
                        WasmTypes.describe(m) + " is a batch (it has an array" + " of numbers), so its " + what
                                + " must be one too, not " + type.getSimpleName(),
                        "Make every"
                                + " parameter and the result int[], long[], float[] or double[] (void for no result), or none"
                                + " of them.");
            }
            return t;
        }

        @Override
        public @Nullable Object call(WasmInstancePool pool, @Nullable Object @Nullable [] args) {
            Object[] columns = Objects.requireNonNull(args, "a batch has parameters");
            int rows = -1;
            for (int i = 0; i < columns.length; i++) {
                if (columns[i] == null) {
                    throw new IllegalArgumentException(WasmTypes.describe(method) + ": argument " + i + " is null");
                }
                int length = Array.getLength(columns[i]);
                if (rows >= 0 && length != rows) {
                    throw new IllegalArgumentException(WasmTypes.describe(method) + ": columns of unequal length, "
                            + rows + " rows in argument 0 and " + length + " in argument " + i);
                }
                rows = length;
            }
            if (result == null) {
                pool.batch(module, export, rows, columns, new Object[0]);
                return null;
            }
            Object out = Array.newInstance(result, rows);
            pool.batch(module, export, rows, columns, new Object[] {out});
            return out;
        }
    }

    /**
     * One method bound to its export, called row by row.
     *
     * @param types the method's parameter types, looked up once
     * @param bytes whether any parameter or the result uses the byte convention
     */
    private record Call(String module, String export, Method method, Class<?>[] types, boolean bytes)
            implements Binding {

        private static final Object[] NO_ARGS = {};

        static Call of(Method m, String module, WasmModules.Entry entry) {
            String export = exportOf(m);
            List<ValType> params = new ArrayList<>();
            boolean bytes = false;
            for (Class<?> p : m.getParameterTypes()) {
                if (WasmTypes.isBytes(p)) {
                    params.add(ValType.I32);
                    params.add(ValType.I32);
                    bytes = true;
                } else {
                    params.add(WasmTypes.require(m, p, "parameter"));
                }
            }
            Class<?> r = m.getReturnType();
            List<ValType> results = r == void.class
                    ? List.of()
                    : List.of(WasmTypes.isBytes(r) ? ValType.I64 : WasmTypes.require(m, r, "return"));
            bytes |= WasmTypes.isBytes(r);
            requireType(
                    m,
                    module,
                    export,
                    "the method needs",
                    FuncType.of(params, results),
                    exported(m, module, entry, export),
                    "int, long, float, double for i32, i64, f32, f64; String,"
                            + " byte[] or ByteBuffer for a (ptr, len) pair");
            if (bytes) {
                requireConvention(m, module, entry);
            }
            return new Call(module, export, m, m.getParameterTypes(), bytes);
        }

        private static void requireConvention(Method m, String module, WasmModules.Entry entry) {
            for (var need : Map.of("alloc", ALLOC, "dealloc", DEALLOC).entrySet()) {
                if (!need.getValue().equals(function(entry, need.getKey()))) {
                    throw conventionMismatch(m, module, "export " + need.getKey() + ": " + need.getValue());
                }
            }
            if (entry.module().export("memory").isEmpty()) {
                throw conventionMismatch(m, module, "export its memory as 'memory'");
            }
        }

        private static WasmModuleInterfaceException conventionMismatch(Method m, String module, String need) {
            return new WasmModuleInterfaceException(
                    module,
                    WasmTypes.describe(m) + " passes bytes, so module '" + module + "' must " + need
                            + " (see @WasmModule)",
                    "Export it from the module, or pass only" + " int, long, float and double.");
        }

        @Override
        public @Nullable Object call(WasmInstancePool pool, @Nullable Object @Nullable [] args) {
            return pool.call(module, export, instance -> invoke(instance, args));
        }

        private @Nullable Object invoke(Instance instance, @Nullable Object @Nullable [] args) {
            @Nullable Object[] in = args == null ? NO_ARGS : args;
            if (!bytes) {
                return result(instance.func(export).call(in));
            }
            Func dealloc = instance.func("dealloc");
            Memory memory = instance.memory("memory");
            List<Object> wasmArgs = new ArrayList<>();
            List<int[]> allocated = new ArrayList<>();
            try {
                for (int i = 0; i < in.length; i++) {
                    if (!WasmTypes.isBytes(types[i])) {
                        wasmArgs.add(in[i]);
                        continue;
                    }
                    if (in[i] == null) {
                        throw new IllegalArgumentException(WasmTypes.describe(method) + ": argument " + i
                                + " is null; bytes parameters need a value");
                    }
                    byte[] data = PluginPayloads.toBytes(in[i]);
                    int ptr = (Integer) instance.func("alloc").call(data.length)[0];
                    allocated.add(new int[] {ptr, data.length});
                    memory.write(checked(memory, ptr, data.length, "alloc(" + data.length + ")"), data);
                    wasmArgs.add(ptr);
                    wasmArgs.add(data.length);
                }
                Object[] out = instance.func(export).call(wasmArgs.toArray());
                @Nullable Object result;
                if (WasmTypes.isBytes(method.getReturnType())) {
                    long packed = (Long) out[0];
                    int ptr = (int) (packed >>> 32);
                    int len = (int) packed;
                    byte[] data = memory.read(checked(memory, ptr, len, export), len);
                    dealloc.call(ptr, len);
                    result = PluginPayloads.fromBytes(data, method.getReturnType());
                } else {
                    result = result(out);
                }
                freeAll(dealloc, allocated);
                return result;
            } catch (Throwable failure) {
                // The caller must see what failed, not a cleanup that fails for the same reason (no points left).
                try {
                    freeAll(dealloc, allocated);
                } catch (Throwable cleanup) {
                    failure.addSuppressed(cleanup);
                }
                throw failure;
            }
        }

        /** Frees the arguments' blocks, last allocated first, and forgets them. */
        private static void freeAll(Func dealloc, List<int[]> allocated) {
            for (int i = allocated.size() - 1; i >= 0; i--) {
                int[] block = allocated.remove(i);
                dealloc.call(block[0], block[1]);
            }
        }

        /** {@code ptr} as an offset, if {@code [ptr, ptr + len)} lies in the memory; else a typed error naming it. */
        private long checked(Memory memory, int ptr, int len, String from) {
            long at = Integer.toUnsignedLong(ptr);
            if (len < 0 || at + len > memory.dataSize()) {
                throw new WasmerException(module + "." + from + " gave ptr " + at + ", len " + len + ", outside its "
                        + memory.dataSize() + "-byte memory (see @WasmModule's byte convention)");
            }
            return at;
        }

        private @Nullable Object result(Object[] out) {
            return method.getReturnType() == void.class ? null : out[0];
        }
    }
}
