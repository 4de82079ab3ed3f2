package dev.wasmerffm.spring.boot.interop;

import dev.wasmerffm.Func;
import dev.wasmerffm.FuncType;
import dev.wasmerffm.HostCall;
import dev.wasmerffm.HostFunction;
import dev.wasmerffm.ImportName;
import dev.wasmerffm.ImportType;
import dev.wasmerffm.Imports;
import dev.wasmerffm.Module;
import dev.wasmerffm.Store;
import dev.wasmerffm.ValType;
import dev.wasmerffm.extism.Plugin;
import dev.wasmerffm.extism.PluginCall;
import dev.wasmerffm.pool.WasmImportException;
import dev.wasmerffm.pool.WasmModules;
import dev.wasmerffm.spring.boot.annotation.WasmHostFunction;
import dev.wasmerffm.wasi.WasiEnv;
import dev.wasmerffm.wasi.WasiVersion;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.UndeclaredThrowableException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.springframework.aop.support.AopUtils;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.core.MethodIntrospector;
import org.springframework.core.annotation.AnnotatedElementUtils;

/**
 * The {@link WasmHostFunction} methods of the context's beans, collected as beans are made, linked into pooled
 * instances by import name, and checked against every registered module's imports once all singletons exist: a
 * signature mismatch, or an import that neither a bean nor WASI provides, fails startup naming it. An Extism
 * plugin's {@code extism:host/env} imports are the kernel's and the host's; its {@code extism:host/user} imports come
 * from bean methods too, which may also take and return one value of {@code byte[]}, {@code String} or a JSON-mapped
 * type ({@link PluginPayloads}), passed as the PDKs pass them: {@code (i64 offset) -> i64 offset} into the kernel's
 * memory.
 */
public final class WasmHostFunctions implements BeanPostProcessor, SmartInitializingSingleton {

    /**
     * One bean method as an import.
     *
     * @param callerIndex the position of its {@link HostCall} parameter, or -1
     */
    private record Definition(
            String bean, Method method, Object target, FuncType type, int callerIndex, boolean payload)
            implements HostFunction {

        @Override
        public void call(HostCall call) throws Exception {
            Object[] args = new Object[type.params().size() + (callerIndex < 0 ? 0 : 1)];
            for (int i = 0, wasm = 0; i < args.length; i++) {
                args[i] = i == callerIndex ? call : call.param(wasm++);
            }
            Object result = invoke(args);
            if (!type.results().isEmpty()) {
                call.resultValue(0, result);
            }
        }

        /** A payload method's call from a plugin: the block at the offset it passed in, a new block's offset out. */
        void call(PluginCall call, PluginPayloads payloads) throws Exception {
            Class<?> in = method.getParameterTypes()[0];
            Object arg = payloads.decode(call.read(call.host().i64(0)), in, method.getGenericParameterTypes()[0]);
            call.host().result(0, call.write(payloads.encode(invoke(new Object[] {arg}))));
        }

        private @Nullable Object invoke(@Nullable Object[] args) throws Exception {
            try {
                return method.invoke(target, args);
            } catch (InvocationTargetException e) { // the method's own throwable becomes the trap's cause
                switch (e.getCause()) {
                    case Exception ex -> throw ex;
                    case Error error -> throw error;
                    default -> throw new UndeclaredThrowableException(e.getCause());
                }
            }
        }

        String where() {
            return "@WasmHostFunction " + WasmTypes.describe(method) + " of bean '" + bean + "'";
        }
    }

    /** The namespace of an Extism plugin's kernel and host functions, which the binding provides. */
    private static final String EXTISM_ENV = "extism:host/env";
    /** The namespace of an Extism plugin's user host functions. */
    private static final String EXTISM_USER = "extism:host/user";
    /** A payload function's type, as the PDKs import it. */
    private static final FuncType OFFSET_TO_OFFSET = FuncType.of(List.of(ValType.I64), List.of(ValType.I64));

    private final Map<ImportName, Definition> byImport = new ConcurrentHashMap<>();
    private final Supplier<WasmModules> modules;
    private final PluginPayloads payloads;

    /** @param modules the registered modules, looked up once all singletons exist */
    public WasmHostFunctions(Supplier<WasmModules> modules) {
        this(modules, new PluginPayloads(() -> null));
    }

    /**
     * @param modules the registered modules, looked up once all singletons exist
     * @param payloads how payload functions for Extism plugins take and return values
     */
    public WasmHostFunctions(Supplier<WasmModules> modules, PluginPayloads payloads) {
        this.modules = modules;
        this.payloads = payloads;
    }

    @Override
    public Object postProcessAfterInitialization(Object bean, String beanName) {
        hostFunctionMethods(AopUtils.getTargetClass(bean))
                .forEach((m, a) -> register(beanName, bean, AopUtils.selectInvocableMethod(m, bean.getClass()), m, a));
        return bean;
    }

    private static Map<Method, WasmHostFunction> hostFunctionMethods(Class<?> type) {
        return MethodIntrospector.selectMethods(type, (MethodIntrospector.MetadataLookup<WasmHostFunction>)
                m -> AnnotatedElementUtils.findMergedAnnotation(m, WasmHostFunction.class));
    }

    /**
     * Whether beans of {@code type} have {@link WasmHostFunction} methods: such beans must be made at startup, lazy
     * initialization or not, since they are found only when made.
     */
    public static boolean declaresHostFunctions(Class<?> type) {
        return !hostFunctionMethods(type).isEmpty();
    }

    private void register(String beanName, Object bean, Method invocable, Method declared, WasmHostFunction a) {
        String name = a.name().isEmpty() ? declared.getName() : a.name();
        if (a.module().equals(EXTISM_USER) && isPayload(declared)) {
            if (declared.getParameterCount() != 1 || declared.getReturnType() == void.class) {
                throw new IllegalStateException(WasmTypes.describe(declared)
                        + ": an extism:host/user function of bytes, text or JSON takes one value and returns one");
            }
            invocable.trySetAccessible();
            define(a.module(), name, new Definition(beanName, invocable, bean, OFFSET_TO_OFFSET, -1, true));
            return;
        }
        List<ValType> params = new ArrayList<>();
        int callerIndex = -1;
        Class<?>[] types = declared.getParameterTypes();
        for (int i = 0; i < types.length; i++) {
            if (types[i] != HostCall.class) {
                params.add(WasmTypes.require(declared, types[i], "parameter"));
            } else if (callerIndex < 0) {
                callerIndex = i;
            } else {
                throw new IllegalStateException(WasmTypes.describe(declared) + ": at most one HostCall parameter");
            }
        }
        Class<?> r = declared.getReturnType();
        FuncType type =
                FuncType.of(params, r == void.class ? List.of() : List.of(WasmTypes.require(declared, r, "return")));
        invocable.trySetAccessible();
        define(a.module(), name, new Definition(beanName, invocable, bean, type, callerIndex, false));
    }

    private void define(String module, String name, Definition d) {
        Definition previous = byImport.putIfAbsent(new ImportName(module, name), d);
        if (previous != null) {
            throw new IllegalStateException("two host functions for import " + module + "." + name + ": "
                    + previous.where() + " and " + d.where());
        }
    }

    /** Whether {@code m} passes a value that is not a wasm number (bytes, text, JSON), for a plugin. */
    private static boolean isPayload(Method m) {
        return Arrays.stream(m.getParameterTypes()).anyMatch(p -> WasmTypes.of(p) == null && p != HostCall.class)
                || m.getReturnType() != void.class && WasmTypes.of(m.getReturnType()) == null;
    }

    /**
     * Checks every registered module's imports now that every bean's host functions are known, and those of every
     * module registered later, before it is.
     */
    @Override
    public void afterSingletonsInstantiated() {
        WasmModules registered = modules.get();
        registered.all().forEach(this::check);
        registered.checkOnRegister(this::check);
    }

    private void check(WasmModules.Entry e) {
        boolean wasi = WasiEnv.version(e.module()) != WasiVersion.INVALID;
        boolean plugin = e.pluginWasm() != null;
        for (ImportType imp : e.module().imports()) {
            if (plugin && imp.module().equals(EXTISM_ENV)) {
                continue; // Extism's kernel and host functions
            }
            Definition d = byImport.get(imp.importName());
            if (d != null && d.payload && !plugin) {
                throw new WasmImportException(
                        e.name(),
                        d.where() + " passes bytes, text or JSON through Extism's kernel, and module '" + e.name()
                                + "', which imports it, is no Extism plugin (it imports nothing from "
                                + EXTISM_ENV + ")",
                        "Build the module with an Extism PDK, or give the import a method of int, long, float"
                                + " and double.");
            }
            if (d != null && !d.type.equals(imp.type())) {
                throw new WasmImportException(
                        e.name(),
                        d.where() + " does not match import " + imp.module()
                                + "." + imp.name() + " of module '" + e.name() + "': the method has " + d.type
                                + ", the module needs " + imp.type(),
                        "Change " + WasmTypes.describe(d.method) + " to " + imp.type()
                                + " (int, long, float, double for i32, i64, f32, f64).");
            }
            if (d == null && !(wasi && imp.module().startsWith("wasi"))) {
                throw new WasmImportException(
                        e.name(),
                        "module '" + e.name() + "' imports " + imp
                                + ", which no @WasmHostFunction bean method provides",
                        "Add a bean method "
                                + "@WasmHostFunction(module = \"" + imp.module() + "\", name = \"" + imp.name()
                                + "\") of type " + imp.type() + ", or remove the import from the module.");
            }
        }
    }

    /** The bean method providing {@code imp}, described for reports, or null. */
    public @Nullable String provider(ImportType imp) {
        Definition d = byImport.get(imp.importName());
        return d == null ? null : d.where();
    }

    /**
     * Gives Extism plugin {@code module} the bean methods its {@code extism:host/user} (or other non-Extism) imports
     * name.
     */
    public void plugin(Module module, Plugin.Builder plugin) {
        for (ImportType imp : module.imports()) {
            Definition d = byImport.get(imp.importName());
            if (d != null) {
                plugin.hostFunction(
                        imp.module(), imp.name(), d.type, d.payload ? c -> d.call(c, payloads) : c -> d.call(c.host()));
            }
        }
    }

    /** Host functions in {@code store} for the imports of {@code module} that bean methods provide. */
    public Imports imports(Store store, Module module) {
        Imports imports = new Imports();
        for (ImportType imp : module.imports()) {
            Definition d = byImport.get(imp.importName());
            if (d != null) {
                imports.define(imp.module(), imp.name(), Func.host(store, d.type, d));
            }
        }
        return imports;
    }
}
