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
import dev.wasmerffm.pool.WasmImportException;
import dev.wasmerffm.pool.WasmModules;
import dev.wasmerffm.spring.boot.annotation.WasmHostFunction;
import dev.wasmerffm.wasi.WasiEnv;
import dev.wasmerffm.wasi.WasiVersion;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.UndeclaredThrowableException;
import java.util.ArrayList;
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
 * signature mismatch, or an import that neither a bean nor WASI provides, fails startup naming it.
 */
public final class WasmHostFunctions implements BeanPostProcessor, SmartInitializingSingleton {

    /**
     * One bean method as an import.
     *
     * @param callerIndex the position of its {@link HostCall} parameter, or -1
     */
    private record Definition(String bean, Method method, Object target, FuncType type, int callerIndex)
            implements HostFunction {

        @Override
        public void call(HostCall call) throws Exception {
            Object[] args = new Object[type.params().size() + (callerIndex < 0 ? 0 : 1)];
            for (int i = 0, wasm = 0; i < args.length; i++) {
                args[i] = i == callerIndex ? call : call.param(wasm++);
            }
            Object result;
            try {
                result = method.invoke(target, args);
            } catch (InvocationTargetException e) { // the method's own throwable becomes the trap's cause
                switch (e.getCause()) {
                    case Exception ex -> throw ex;
                    case Error error -> throw error;
                    default -> throw new UndeclaredThrowableException(e.getCause());
                }
            }
            if (!type.results().isEmpty()) {
                call.resultValue(0, result);
            }
        }

        String where() {
            return "@WasmHostFunction " + WasmTypes.describe(method) + " of bean '" + bean + "'";
        }
    }

    private final Map<ImportName, Definition> byImport = new ConcurrentHashMap<>();
    private final Supplier<WasmModules> modules;

    /** @param modules the registered modules, looked up once all singletons exist */
    public WasmHostFunctions(Supplier<WasmModules> modules) {
        this.modules = modules;
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
        Definition d = new Definition(beanName, invocable, bean, type, callerIndex);
        Definition previous = byImport.putIfAbsent(new ImportName(a.module(), name), d);
        if (previous != null) {
            throw new IllegalStateException("two host functions for import " + a.module() + "." + name + ": "
                    + previous.where() + " and " + d.where());
        }
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
        for (ImportType imp : e.module().imports()) {
            Definition d = byImport.get(imp.importName());
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
