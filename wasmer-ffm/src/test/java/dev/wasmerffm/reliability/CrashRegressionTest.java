package dev.wasmerffm.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wasmerffm.ArtifactKey;
import dev.wasmerffm.ArtifactMismatchException;
import dev.wasmerffm.Backend;
import dev.wasmerffm.BackendUnavailableException;
import dev.wasmerffm.CompileException;
import dev.wasmerffm.Config;
import dev.wasmerffm.Engine;
import dev.wasmerffm.Feature;
import dev.wasmerffm.Func;
import dev.wasmerffm.FuncType;
import dev.wasmerffm.HostCall;
import dev.wasmerffm.Imports;
import dev.wasmerffm.Instance;
import dev.wasmerffm.LinkException;
import dev.wasmerffm.Memory;
import dev.wasmerffm.Metering;
import dev.wasmerffm.Module;
import dev.wasmerffm.ReentryLimitException;
import dev.wasmerffm.StackHeadroomException;
import dev.wasmerffm.Store;
import dev.wasmerffm.Target;
import dev.wasmerffm.TrapException;
import dev.wasmerffm.ValType;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntUnaryOperator;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Each way the public API could once abort or corrupt the JVM, run in a child JVM of its own: the child must exit
 * normally after checking the typed outcome. Before the lifetime model of issue 14 every one of these ended the
 * process (SIGSEGV, a Rust panic, "Unrecoverable uncaught exception", or heap corruption).
 */
class CrashRegressionTest {

    @ParameterizedTest
    @ValueSource(
            strings = {
                "meteredFuncref",
                "foreignEngineModule",
                "closeInsideHostFunction",
                "closeFromAnotherThreadDuringCall",
                "reentryDeepAsStackAllows",
                "javaRecursionCallingWasm",
                "reusedConfig",
                "headlessBackend",
                "memoryViewAfterStoreClose",
                "hostCallKeptAfterReturn",
                "v128ResultThroughTheRawLayer",
                "memory64IsRefusedBeforeLibwasmer",
                "targetWithoutTheBaselineCpuFeature",
                "targetsCraneliftCannotCompile",
                "artifactOfAnotherOperatingSystem",
                "exportsOutliveTheirUnreachableInstance"
            })
    void survivesInAChildJvm(String scenario) throws Exception {
        for (String xss : scenario.equals("javaRecursionCallingWasm") || scenario.equals("reentryDeepAsStackAllows")
                ? List.of("-Xss320k", "-Xss1m", "-Xss16m")
                : List.of("-Xss1m")) {
            String java = ProcessHandle.current().info().command().orElseThrow();
            Process p = new ProcessBuilder(
                            java,
                            xss,
                            "--enable-native-access=ALL-UNNAMED",
                            "-cp",
                            System.getProperty("java.class.path"),
                            Scenarios.class.getName(),
                            scenario)
                    .redirectErrorStream(true)
                    .start();
            boolean ended = p.waitFor(120, TimeUnit.SECONDS);
            String out = new String(p.getInputStream().readAllBytes());
            if (!ended) {
                p.destroyForcibly();
            }
            assertThat(ended).as("child JVM hung: %s", out).isTrue();
            assertThat(p.exitValue())
                    .as("%s %s exited abnormally:%n%s", scenario, xss, out)
                    .isZero();
            assertThat(out).contains("survived " + scenario);
        }
    }

    /** The child JVM: runs one scenario, exits 0 only if every check in it held. */
    static final class Scenarios {

        static final String TABLE_MODULE = """
                (module
                  (table (export "t") 1 funcref)
                  (elem (i32.const 0) $f)
                  (func $f (export "f") (result i32) i32.const 7))
                """;

        public static void main(String[] args) throws Throwable {
            switch (args[0]) {
                case "meteredFuncref" -> meteredFuncref();
                case "foreignEngineModule" -> foreignEngineModule();
                case "closeInsideHostFunction" -> closeInsideHostFunction();
                case "closeFromAnotherThreadDuringCall" -> closeFromAnotherThreadDuringCall();
                case "reentryDeepAsStackAllows" -> reentryDeepAsStackAllows();
                case "javaRecursionCallingWasm" -> javaRecursionCallingWasm();
                case "reusedConfig" -> reusedConfig();
                case "headlessBackend" -> headlessBackend();
                case "memoryViewAfterStoreClose" -> memoryViewAfterStoreClose();
                case "hostCallKeptAfterReturn" -> hostCallKeptAfterReturn();
                case "v128ResultThroughTheRawLayer" -> v128ResultThroughTheRawLayer();
                case "memory64IsRefusedBeforeLibwasmer" -> memory64IsRefusedBeforeLibwasmer();
                case "targetWithoutTheBaselineCpuFeature" -> targetWithoutTheBaselineCpuFeature();
                case "targetsCraneliftCannotCompile" -> targetsCraneliftCannotCompile();
                case "artifactOfAnotherOperatingSystem" -> artifactOfAnotherOperatingSystem();
                case "exportsOutliveTheirUnreachableInstance" -> exportsOutliveTheirUnreachableInstance();
                default -> throw new IllegalArgumentException(args[0]);
            }
            System.out.println("survived " + args[0]);
        }

        static void check(boolean ok, String what) {
            if (!ok) {
                throw new AssertionError(what);
            }
        }

        static <T extends Throwable> T expect(Class<T> type, Runnable body) {
            try {
                body.run();
            } catch (Throwable t) {
                if (type.isInstance(t)) {
                    return type.cast(t);
                }
                throw new AssertionError("expected " + type.getSimpleName() + ", got " + t, t);
            }
            throw new AssertionError("expected " + type.getSimpleName() + ", nothing was thrown");
        }

        /** A metered module runs in the store made for it, where its funcrefs work; elsewhere it is refused. */
        static void meteredFuncref() {
            try (Engine engine = new Engine(new Config().metering(Metering.of(1_000_000)));
                    Module module = Module.compile(engine, TABLE_MODULE)) {
                expect(LinkException.class, () -> {
                    try (Store wrong = new Store(engine)) {
                        Instance.create(wrong, module);
                    }
                });
                try (Store store = new Store(module);
                        Instance instance = Instance.create(store, module)) {
                    Func f = (Func) instance.table("t").get(0);
                    check(f.type().equals(FuncType.of(List.of(), List.of(ValType.I32))), "funcref type");
                    check((Integer) f.call()[0] == 7, "funcref call");
                }
            }
        }

        /** A module of engine B in a store of engine A is a LinkException naming both, not a panic. */
        static void foreignEngineModule() {
            try (Engine a = new Engine();
                    Engine b = new Engine();
                    Module module = Module.compile(b, TABLE_MODULE);
                    Store store = new Store(a)) {
                LinkException e = expect(LinkException.class, () -> Instance.create(store, module));
                check(e.getMessage().contains("native engine"), e.getMessage());
            }
        }

        static final String HOST_MODULE = """
                (module (import "env" "h" (func $h (result i32)))
                  (memory (export "memory") 1)
                  (func (export "run") (result i32) call $h i32.const 1 i32.add))
                """;

        /** Closing store, instance, module and engine inside a host function: deferred, the call still returns. */
        static void closeInsideHostFunction() {
            for (int round = 0; round < 50; round++) {
                Engine engine = new Engine();
                Module module = Module.compile(engine, HOST_MODULE);
                Store store = new Store(engine);
                AtomicReference<Instance> self = new AtomicReference<>();
                Func h = Func.host(store, FuncType.of(List.of(), List.of(ValType.I32)), c -> {
                    self.get().close();
                    module.close();
                    engine.close();
                    store.close();
                    check(store.isClosed() && !store.isFreed(), "store freed under its running call");
                    c.result(0, 41);
                });
                Instance instance = Instance.create(store, module, new Imports().define("env", "h", h));
                self.set(instance);
                check((Integer) instance.func("run").call()[0] == 42, "result of the call that closed everything");
                check(store.isFreed(), "store freed once the call returned");
                expect(IllegalStateException.class, () -> instance.func("run").call());
            }
        }

        /** Another thread's close during a call returns at once; the call finishes; then the store is freed. */
        static void closeFromAnotherThreadDuringCall() throws Exception {
            try (Engine engine = new Engine();
                    Module module = Module.compile(engine, HOST_MODULE)) {
                for (int round = 0; round < 20; round++) {
                    Store store = new Store(engine);
                    CountDownLatch inside = new CountDownLatch(1);
                    CountDownLatch closed = new CountDownLatch(1);
                    Func h = Func.host(store, FuncType.of(List.of(), List.of(ValType.I32)), c -> {
                        inside.countDown();
                        try {
                            closed.await();
                        } catch (InterruptedException e) {
                            throw new IllegalStateException(e);
                        }
                        c.result(0, 41);
                    });
                    Instance instance = Instance.create(store, module, new Imports().define("env", "h", h));
                    AtomicReference<Object> result = new AtomicReference<>();
                    Thread caller =
                            new Thread(() -> result.set(instance.func("run").call()[0]));
                    caller.start();
                    inside.await();
                    long t0 = System.nanoTime();
                    store.close();
                    check(System.nanoTime() - t0 < 1_000_000_000L, "close waited for the running call");
                    check(store.isClosed() && !store.isFreed(), "freed under the running call");
                    closed.countDown();
                    caller.join(10_000);
                    check(Integer.valueOf(42).equals(result.get()), "the running call's result: " + result.get());
                    check(store.isFreed(), "freed after the call");
                }
            }
        }

        static final String REENTRY_MODULE = """
                (module (import "env" "h" (func $h (param i32) (result i32)))
                  (func (export "down") (param i32) (result i32) local.get 0 call $h))
                """;

        /** wasm → host → wasm as deep as it goes: a typed refusal at the bound, on any thread stack size. */
        static void reentryDeepAsStackAllows() {
            try (Engine engine = new Engine();
                    Module module = Module.compile(engine, REENTRY_MODULE);
                    Store store = new Store(engine)) {
                AtomicReference<IntUnaryOperator> down = new AtomicReference<>();
                Func h = Func.host(
                        store,
                        FuncType.of(List.of(ValType.I32), List.of(ValType.I32)),
                        c -> c.result(0, c.i32(0) == 0 ? 0 : down.get().applyAsInt(c.i32(0) - 1) + 1));
                Instance instance = Instance.create(store, module, new Imports().define("env", "h", h));
                down.set(instance.func("down").asIntUnaryOperator());
                check(down.get().applyAsInt(5) == 5, "5 levels work");
                TrapException e = expect(TrapException.class, () -> down.get().applyAsInt(100_000));
                Throwable root = e;
                while (root.getCause() != null) {
                    root = root.getCause();
                }
                check(
                        root instanceof ReentryLimitException || root instanceof StackHeadroomException,
                        "refused with a typed cause, got " + root);
                check(down.get().applyAsInt(5) == 5, "the store works after the refusal");
            }
        }

        /** Java recursion that calls wasm (which calls Java) at every level, until the stack runs out. */
        static void javaRecursionCallingWasm() {
            try (Engine engine = new Engine();
                    Module module = Module.compile(engine, HOST_MODULE);
                    Store store = new Store(engine)) {
                Func h = Func.host(store, FuncType.of(List.of(), List.of(ValType.I32)), c -> c.result(0, 1));
                Instance instance = Instance.create(store, module, new Imports().define("env", "h", h));
                Func run = instance.func("run");
                int[] deepest = {0};
                Throwable stop = null;
                try {
                    recurse(run, 0, deepest);
                } catch (StackOverflowError | StackHeadroomException e) {
                    stop = e;
                }
                check(stop != null, "the recursion ended");
                check(deepest[0] > 10, "recursed only " + deepest[0]);
                check((Integer) run.call()[0] == 2, "the store works after the overflow");
            }
        }

        static void recurse(Func run, int depth, int[] deepest) {
            deepest[0] = depth;
            if ((Integer) run.call()[0] != 2) {
                throw new AssertionError("wrong result at depth " + depth);
            }
            recurse(run, depth + 1, deepest);
        }

        /** An engine keeps its own copy of the config: changing it later does not relabel the engine's code. */
        static void reusedConfig() {
            Config config = new Config().target(Target.of("aarch64-unknown-linux-gnu"));
            try (Engine arm = new Engine(config)) {
                config.target(null);
                try (Engine host = new Engine(config);
                        Module m = Module.compile(arm, TABLE_MODULE)) {
                    check(m.arch().equals("aarch64"), "module arch " + m.arch());
                    check(arm.config().target() != null, "engine target changed with its config");
                    byte[] artifact = m.serialize();
                    expect(CompileException.class, () -> Module.deserializeUnchecked(host, artifact));
                    try (Store store = new Store(host)) {
                        expect(LinkException.class, () -> Instance.create(store, m));
                    }
                }
            }
        }

        /** Headless compiles nothing: refused with a typed exception instead of libwasmer's panic. */
        static void headlessBackend() {
            BackendUnavailableException e =
                    expect(BackendUnavailableException.class, () -> new Engine(new Config().backend(Backend.HEADLESS)));
            check(e.backend() == Backend.HEADLESS, e.getMessage());
        }

        /** A memory view and its ByteBuffer throw once their store is closed, even when a new store exists. */
        static void memoryViewAfterStoreClose() {
            try (Engine engine = new Engine();
                    Module module = Module.compile(engine, HOST_MODULE)) {
                Store store = new Store(engine);
                Func h = Func.host(store, FuncType.of(List.of(), List.of(ValType.I32)), c -> c.result(0, 0));
                Memory memory = Instance.create(store, module, new Imports().define("env", "h", h))
                        .memory("memory");
                var view = memory.segment();
                ByteBuffer buffer = view.asByteBuffer();
                view.set(java.lang.foreign.ValueLayout.JAVA_BYTE, 0, (byte) 1);
                store.close();
                try (Store other = new Store(engine)) {
                    Func h2 = Func.host(other, FuncType.of(List.of(), List.of(ValType.I32)), c -> c.result(0, 0));
                    Memory fresh = Instance.create(other, module, new Imports().define("env", "h", h2))
                            .memory("memory");
                    expect(
                            IllegalStateException.class,
                            () -> view.set(java.lang.foreign.ValueLayout.JAVA_BYTE, 0, (byte) 9));
                    expect(IllegalStateException.class, () -> buffer.put(0, (byte) 9));
                    expect(IllegalStateException.class, () -> memory.read(0, 1));
                    check(fresh.read(0, 1)[0] == 0, "the new store's memory was written through a stale view");
                }
            }
        }

        /** A HostCall kept past its call throws instead of writing into freed value arrays. */
        static void hostCallKeptAfterReturn() {
            try (Engine engine = new Engine();
                    Module module = Module.compile(engine, HOST_MODULE);
                    Store store = new Store(engine)) {
                List<HostCall> kept = new ArrayList<>();
                Func h = Func.host(store, FuncType.of(List.of(), List.of(ValType.I32)), c -> {
                    kept.add(c);
                    c.result(0, 1);
                });
                Instance instance = Instance.create(store, module, new Imports().define("env", "h", h));
                check((Integer) instance.func("run").call()[0] == 2, "call");
                for (int i = 0; i < 1000; i++) {
                    expect(IllegalStateException.class, () -> kept.getFirst().result(0, 5));
                    expect(IllegalStateException.class, () -> kept.getFirst().params());
                    expect(IllegalStateException.class, () -> kept.getFirst().memory());
                }
                check((Integer) instance.func("run").call()[0] == 2, "calls after the misuse");
            }
        }

        /**
         * What docs/panic-guards.md says of a v128 result, from the raw layer as C would call it: wasm_func_call
         * does not abort; the call runs and the value alone is refused.
         */
        static void v128ResultThroughTheRawLayer() {
            dev.wasmerffm.WasmerLibrary.load();
            try (java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofConfined()) {
                var engine = dev.wasmerffm.raw.LibWasm.wasm_engine_new();
                var store = dev.wasmerffm.raw.LibWasm.wasm_store_new(engine);
                byte[] wasm = dev.wasmerffm.Wasmer.wat2wasm(
                        "(module (func (export \"v\") (result v128) v128.const i64x2 1 2))");
                var bytes = arena.allocate(dev.wasmerffm.internal.Layouts.VEC);
                bytes.set(java.lang.foreign.ValueLayout.JAVA_LONG, 0, wasm.length);
                bytes.set(
                        java.lang.foreign.ValueLayout.ADDRESS,
                        8,
                        arena.allocateFrom(java.lang.foreign.ValueLayout.JAVA_BYTE, wasm));
                var module = dev.wasmerffm.raw.LibWasm.wasm_module_new(store, bytes);
                var none = arena.allocate(dev.wasmerffm.internal.Layouts.VEC);
                var instance = dev.wasmerffm.raw.LibWasm.wasm_instance_new(
                        store, module, none, java.lang.foreign.MemorySegment.NULL);
                var exports = arena.allocate(dev.wasmerffm.internal.Layouts.VEC);
                dev.wasmerffm.raw.LibWasm.wasm_instance_exports(instance, exports);
                var ext = exports.get(java.lang.foreign.ValueLayout.ADDRESS, 8)
                        .reinterpret(8)
                        .get(java.lang.foreign.ValueLayout.ADDRESS, 0);
                var func = dev.wasmerffm.raw.LibWasm.wasm_extern_as_func(ext);
                var results = arena.allocate(dev.wasmerffm.internal.Layouts.VEC);
                results.set(java.lang.foreign.ValueLayout.JAVA_LONG, 0, 1);
                results.set(java.lang.foreign.ValueLayout.ADDRESS, 8, arena.allocate(16, 8));
                var trap = dev.wasmerffm.raw.LibWasm.wasm_func_call(func, none, results);
                String message;
                if (trap.equals(java.lang.foreign.MemorySegment.NULL)) {
                    int n = dev.wasmerffm.raw.LibWasmer.wasmer_last_error_length();
                    var buf = arena.allocate(Math.max(1, n));
                    dev.wasmerffm.raw.LibWasmer.wasmer_last_error_message(buf, n);
                    message = "no trap, last error: " + buf.getString(0);
                } else {
                    var out = arena.allocate(dev.wasmerffm.internal.Layouts.VEC);
                    dev.wasmerffm.raw.LibWasm.wasm_trap_message(trap, out);
                    message = "trap: "
                            + out.get(java.lang.foreign.ValueLayout.ADDRESS, 8)
                                    .reinterpret(out.get(java.lang.foreign.ValueLayout.JAVA_LONG, 0))
                                    .getString(0);
                }
                System.out.println("v128 result: " + message);
                check(message.contains("128bit SIMD types not yet supported"), message);
            }
        }

        /**
         * libwasmer 7.4.2 validates 64-bit memories under its memory64 flag, then aborts the process compiling one
         * ("64bit memory not implemented yet"), defined or imported, with either compiler.
         */
        static void memory64IsRefusedBeforeLibwasmer() {
            IllegalArgumentException flag =
                    expect(IllegalArgumentException.class, () -> new Config().feature(Feature.MEMORY64, true));
            check(flag.getMessage().contains("memory64 cannot be turned on"), flag.getMessage());
            new Config().feature(Feature.MEMORY64, false); // off, as by default, is fine
            for (Backend backend : List.of(Backend.CRANELIFT, Backend.SINGLEPASS)) {
                try (Engine engine = new Engine(new Config().backend(backend))) {
                    for (String wat : List.of(
                            "(module (memory i64 1))",
                            "(module (import \"env\" \"m\" (memory i64 1)))",
                            "(module (table i64 1 funcref))")) {
                        byte[] wasm = dev.wasmerffm.Wasmer.wat2wasm(wat);
                        check(!Module.validate(engine, wasm), "validate " + wat);
                        CompileException e = expect(CompileException.class, () -> Module.compile(engine, wasm));
                        check(e.getMessage().contains("(memory64) is not supported"), e.getMessage());
                    }
                }
            }
        }

        static final String FLOAT_AND_SIMD = """
                (module
                  (func (export "f") (param f64) (result f64) local.get 0 f64.sqrt)
                  (func (export "v") (param i32) (result i32)
                    local.get 0 i32x4.splat local.get 0 i32x4.splat i32x4.mul i32x4.extract_lane 1))
                """;

        /** Cranelift aborts the process ("x86 support requires SSE2") for an x86_64 target without SSE2. */
        static void targetWithoutTheBaselineCpuFeature() {
            for (Target target : List.of(
                    Target.host(),
                    Target.of("x86_64-unknown-linux-gnu"),
                    Target.of("x86_64-unknown-linux-gnu", "avx2"),
                    Target.of("x86_64-pc-windows-msvc", "avx512f", "fma"))) {
                check(target.cpuFeatures().contains("sse2"), "baseline of " + target);
                try (Engine engine = new Engine(new Config().target(target));
                        Module module = Module.compile(engine, FLOAT_AND_SIMD)) {
                    if (target.isHost()) {
                        try (Store store = new Store(engine);
                                Instance in = Instance.create(store, module)) {
                            check((Double) in.func("f").call(16.0)[0] == 4.0, "sqrt");
                            check((Integer) in.func("v").call(7)[0] == 49, "simd");
                        }
                    }
                }
            }
            check(Target.host().equals(Target.host("sse2")), "host() is the host with SSE2");
            // Cranelift also aborts enabling an x86 flag on another architecture's ISA
            for (String[] t : List.of(
                    new String[] {"aarch64-unknown-linux-gnu", "sse3"},
                    new String[] {"riscv64gc-unknown-linux-gnu", "avx"},
                    new String[] {"x86_64-unknown-linux-gnu", "neon"})) {
                IllegalArgumentException e = expect(IllegalArgumentException.class, () -> Target.of(t[0], t[1]));
                check(e.getMessage().contains("CPU feature '" + t[1] + "'"), e.getMessage());
            }
            try (Engine arm = new Engine(new Config().target(Target.of("aarch64-apple-darwin", "neon")));
                    Module module = Module.compile(arm, FLOAT_AND_SIMD)) {
                check(!module.runsHere(), "aarch64 code does not run here");
            }
        }

        /**
         * Cranelift aborts ("construct Cranelift ISA for triple: Unsupported", an assertion for big-endian aarch64)
         * for architectures it was not built for, and on SIMD code for riscv64.
         */
        static void targetsCraneliftCannotCompile() {
            for (String triple : List.of(
                    "i686-unknown-linux-gnu",
                    "x86_64h-apple-darwin",
                    "s390x-unknown-linux-gnu",
                    "wasm32-unknown-unknown",
                    "aarch64_be-unknown-linux-gnu",
                    "pulley64-unknown-unknown",
                    "riscv64gc-unknown-linux-gnu")) {
                Config config = new Config().target(Target.of(triple));
                BackendUnavailableException e = expect(BackendUnavailableException.class, () -> new Engine(config));
                check(e.getMessage().contains(triple.substring(0, triple.indexOf('-'))), e.getMessage());
            }
            Config riscvScalar = new Config()
                    .target(Target.of("riscv64gc-unknown-linux-gnu"))
                    .feature(Feature.SIMD, false);
            try (Engine riscv = new Engine(riscvScalar)) {
                Module.compile(riscv, "(module (func (export \"f\") (param f64) (result f64) local.get 0 f64.sqrt))")
                        .close();
                expect(CompileException.class, () -> Module.compile(riscv, FLOAT_AND_SIMD));
            }
            // singlepass refuses what it cannot compile for with a compile error
            try (Engine singlepass =
                    new Engine(new Config().backend(Backend.SINGLEPASS).target(Target.of("i686-unknown-linux-gnu")))) {
                expect(CompileException.class, () -> Module.compile(singlepass, "(module (func))"));
            }
        }

        /**
         * A genuine artifact for x86_64 Windows (right key, right architecture): wasm_module_deserialize aborted on
         * its unwind information. One for x86_64 macOS loaded and ran.
         */
        static void artifactOfAnotherOperatingSystem() {
            ArtifactKey key = ArtifactKey.random();
            String wat = "(module (func (export \"f\") (result i32) i32.const 1))";
            for (String triple : List.of("x86_64-pc-windows-msvc", "x86_64-apple-darwin")) {
                byte[] sealed;
                byte[] unsealed;
                String identity;
                try (Engine foreign = new Engine(new Config().target(Target.of(triple)));
                        Module module = Module.compile(foreign, wat)) {
                    sealed = module.serialize(key);
                    unsealed = module.serialize();
                    identity = module.identity();
                    // its own engine loads it, and libwasmer refuses to instantiate it here
                    try (Module back = Module.deserialize(foreign, sealed, key, identity);
                            Store store = new Store(foreign)) {
                        expect(LinkException.class, () -> Instance.create(store, back));
                    }
                }
                try (Engine host = new Engine()) {
                    ArtifactMismatchException e = expect(
                            ArtifactMismatchException.class, () -> Module.deserialize(host, sealed, key, identity));
                    check(e.differences().size() == 1, e.getMessage());
                    check(e.differences().getFirst().fact().equals("target"), e.getMessage());
                    check(e.getMessage().contains(triple), e.getMessage());
                    expect(ArtifactMismatchException.class, () -> Module.deserializeUnchecked(host, unsealed));
                }
            }
        }

        /**
         * {@code Instance.create(...).func("f")} leaves the instance unreachable while its export is used: the
         * Cleaner freed the instance's extern vector under the export ("object used with the wrong context", found
         * through the spec testsuite, whose v128 adapters are used that way).
         */
        static void exportsOutliveTheirUnreachableInstance() throws InterruptedException {
            String wat = """
                    (module (memory (export "m") 1)
                      (func (export "f") (param i64 i64) (result i64) local.get 0 local.get 1 i64.add)
                      (func (export "v") (param v128 v128) (result v128) local.get 0 local.get 1 i64x2.add))
                    """;
            try (Engine engine = new Engine();
                    Module module = Module.compile(engine, wat);
                    Store store = new Store(engine)) {
                Func f = Instance.create(store, module).func("f");
                Memory m = Instance.create(store, module).memory("m");
                Func v = Instance.create(store, module).func("v"); // its adapter instance is unreachable too
                v.call(dev.wasmerffm.V128.ofI64x2(1, 2), dev.wasmerffm.V128.ofI64x2(3, 4));
                for (int i = 0; i < 5; i++) {
                    System.gc();
                    Thread.sleep(50);
                }
                for (int i = 0; i < 1_000; i++) {
                    check((Long) f.call(40L, 2L)[0] == 42L, "f");
                    m.write(0, new byte[] {7});
                    check(m.read(0, 1)[0] == 7, "memory");
                    check(
                            v.call(dev.wasmerffm.V128.ofI64x2(1, 2), dev.wasmerffm.V128.ofI64x2(3, 4))[0].equals(
                                    dev.wasmerffm.V128.ofI64x2(4, 6)),
                            "v128");
                }
            }
        }
    }
}
