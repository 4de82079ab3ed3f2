package dev.wasmerffm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ModuleTest {

    Engine engine;

    @BeforeEach
    void setUp() {
        engine = new Engine();
    }

    @AfterEach
    void tearDown() {
        engine.close();
    }

    @Test
    void watAndBinaryAreBothAccepted() {
        byte[] wasm = Wasmer.wat2wasm(TestModules.ADD);
        assertThat(wasm).startsWith(0, 'a', 's', 'm');
        assertThat(Wasmer.wat2wasm(wasm)).isSameAs(wasm);
        try (Module fromBinary = Module.compile(engine, wasm);
                Module fromText = Module.compile(engine, TestModules.ADD.getBytes(StandardCharsets.UTF_8))) {
            assertThat(fromBinary.exports()).isEqualTo(fromText.exports());
            assertThat(fromBinary.export("add"))
                    .get()
                    .extracting(ExportType::type)
                    .isEqualTo(
                            FuncType.of(java.util.List.of(ValType.I32, ValType.I32), java.util.List.of(ValType.I32)));
            assertThat(fromBinary.export("nope")).isEmpty();
            assertThat(fromBinary.engine()).isSameAs(engine);
        }
    }

    @Test
    void badInputIsATypedErrorWithTheReason() {
        assertThatThrownBy(() -> Wasmer.wat2wasm("(module (func (export \"f\") (result i32) i32.const)"))
                .isInstanceOf(CompileException.class)
                .hasMessageContaining("invalid WAT");
        byte[] truncated = java.util.Arrays.copyOf(Wasmer.wat2wasm(TestModules.ADD), 20);
        assertThatThrownBy(() -> Module.compile(engine, truncated)).isInstanceOf(CompileException.class);
        byte[] valid = Wasmer.wat2wasm("(module (func (result i32) i32.const 1))");
        assertThat(Module.validate(engine, valid)).isTrue();
        String illTyped = "(module (func (result i32) i64.const 1))";
        assertThat(Module.validate(engine, illTyped.getBytes(StandardCharsets.UTF_8)))
                .isFalse();
        assertThatThrownBy(() -> Module.compile(engine, illTyped))
                .isInstanceOf(CompileException.class)
                .hasMessageContaining("cannot compile module");
        assertThat(Module.validate(engine, "(module (".getBytes(StandardCharsets.UTF_8)))
                .isFalse();
    }

    @Test
    void serializeAndDeserializeRoundTrip() {
        ArtifactKey key = ArtifactKey.random();
        try (Module module = Module.compile(engine, TestModules.ADD)) {
            byte[] sealed = module.serialize(key);
            try (Module back = Module.deserialize(engine, sealed, key, module.identity());
                    Store store = new Store(engine);
                    Instance in = Instance.create(store, back)) {
                assertThat(back.exports()).isEqualTo(module.exports());
                assertThat(in.func("add").call(1, 2)).containsExactly(3);
            }
            assertThatThrownBy(() -> Module.deserialize(engine, sealed, ArtifactKey.random(), module.identity()))
                    .isInstanceOf(ArtifactAuthenticationException.class)
                    .hasMessageContaining("not loaded");
            assertThatThrownBy(() -> Module.deserialize(engine, module.serialize(), key, module.identity()))
                    .isInstanceOf(ArtifactAuthenticationException.class);
            byte[] unsealed = module.serialize();
            try (Module back = Module.deserializeUnchecked(engine, unsealed)) {
                assertThat(back.exports()).isEqualTo(module.exports());
            }
            assertThatThrownBy(() -> Module.deserializeUnchecked(engine, new byte[] {1, 2, 3}))
                    .isInstanceOf(CompileException.class)
                    .hasMessageContaining("truncated serialized module header");
            assertThatThrownBy(() -> Module.deserializeUnchecked(engine, java.util.Arrays.copyOf(unsealed, 40)))
                    .isInstanceOf(CompileException.class)
                    .hasMessageContaining("runs past the end");
        }
        assertThatThrownBy(() -> ArtifactKey.of(new byte[31]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least 32 bytes");
        assertThat(key.toString()).doesNotContain("0x").isEqualTo("ArtifactKey[HmacSHA256]");
    }

    /** A module exporting {@code add} that subtracts: what a forged artifact would swap in. */
    static final String FAKE_ADD = """
            (module (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.sub))""";

    @Test
    void anArtifactOfAnotherModuleIsRefusedNamingBoth() {
        ArtifactKey key = ArtifactKey.random();
        try (Module add = Module.compile(engine, TestModules.ADD);
                Module fake = Module.compile(engine, FAKE_ADD)) {
            String expected = Module.identityOf(TestModules.ADD.getBytes(StandardCharsets.UTF_8));
            assertThat(add.identity()).isEqualTo(expected).startsWith("sha256:");
            assertThat(Module.identityOf(Wasmer.wat2wasm(TestModules.ADD))).isEqualTo(expected);
            byte[] forged = fake.serialize(key); // genuine, under the right key, but not add
            var e = org.assertj.core.api.Assertions.catchThrowableOfType(
                    ArtifactMismatchException.class, () -> Module.deserialize(engine, forged, key, expected));
            assertThat(e.differences())
                    .containsExactly(new ArtifactMismatchException.Difference("module", fake.identity(), expected));
            assertThat(e).hasMessageContaining("module is " + fake.identity() + " in the artifact, " + expected);
            try (Module back = Module.deserialize(engine, add.serialize(key), key, expected);
                    Store store = new Store(engine);
                    Instance in = Instance.create(store, back)) {
                assertThat(in.func("add").call(40, 2)).containsExactly(42);
                assertThat(back.identity()).isEqualTo(expected);
            }
            byte[] named = add.serialize(key, "plugins/add@1");
            try (Module back = Module.deserialize(engine, named, key, "plugins/add@1")) {
                assertThat(back.identity()).isEqualTo("plugins/add@1");
            }
            assertThatThrownBy(() -> Module.deserialize(engine, named, key, expected))
                    .isInstanceOf(ArtifactMismatchException.class)
                    .hasMessageContaining("module is plugins/add@1 in the artifact");
            assertThatThrownBy(() -> Module.deserialize(engine, fake.serialize(key, "plugins/add@1"), key, "x"))
                    .isInstanceOf(ArtifactMismatchException.class);
            assertThatThrownBy(() -> add.serialize(key, ""))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("1 to 65535 UTF-8 bytes, got 0");
        }
    }

    /**
     * Each engine fact the code keeps: an artifact compiled with one loaded by an engine with another would run with
     * the compiling engine's metering, caps and features (libwasmer checks none of them).
     */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(
            strings = {
                "metering",
                "deadlines",
                "maxMemoryPages",
                "maxTableElements",
                "features",
                "nans",
                "backend",
                "target"
            })
    void anArtifactCompiledWithOtherEngineFactsIsRefusedNamingTheFact(String fact) {
        Config other =
                switch (fact) {
                    case "metering" -> new Config().metering(Metering.of(1_000));
                    case "deadlines" -> new Config().deadlines(true);
                    case "maxMemoryPages" -> new Config().maxMemory(Memory.PAGE_SIZE);
                    case "maxTableElements" -> new Config().maxTableElements(1);
                    case "features" -> new Config().feature(Feature.SIMD, false);
                    case "nans" -> new Config().canonicalizeNans(true);
                    case "backend" -> new Config().backend(Backend.SINGLEPASS);
                    default -> new Config().target(Target.host("sse2", "sse3"));
                };
        ArtifactKey key = ArtifactKey.random();
        String wat = "(module (memory (export \"m\") 1) (func (export \"f\") (result i32) i32.const 1))";
        String id = Module.identityOf(wat.getBytes(StandardCharsets.UTF_8));
        try (Engine otherEngine = new Engine(other);
                Module plain = Module.compile(engine, wat);
                Module different = Module.compile(otherEngine, wat)) {
            byte[] plainArtifact = plain.serialize(key);
            byte[] otherArtifact = different.serialize(key);
            for (var load : java.util.List.of(
                    java.util.Map.entry(otherEngine, plainArtifact), java.util.Map.entry(engine, otherArtifact))) {
                var e = org.assertj.core.api.Assertions.catchThrowableOfType(
                        ArtifactMismatchException.class,
                        () -> Module.deserialize(load.getKey(), load.getValue(), key, id));
                assertThat(e.differences())
                        .extracting(ArtifactMismatchException.Difference::fact)
                        .contains(fact);
                assertThat(e).hasMessageContaining(fact + " is ").hasMessageContaining("compile it again");
            }
            Module.deserialize(otherEngine, otherArtifact, key, id).close(); // its own engine's facts load
        }
    }

    @Test
    void validateSaysFalseForWhatCompileRefuses() {
        String memory64 = "(module (memory i64 1))";
        assertThat(Module.validate(engine, memory64.getBytes(StandardCharsets.UTF_8)))
                .isFalse();
        assertThatThrownBy(() -> Module.compile(engine, memory64))
                .isInstanceOf(CompileException.class)
                .hasMessageContaining("64-bit memory (memory64) is not supported");
        // libwasmer validates it, but the binding cannot read a tag export: compile refuses it, so validate does
        String tagExport = "(module (tag $e (export \"t\") (param i32)))";
        try (Engine exceptions = new Engine(new Config().feature(Feature.EXCEPTIONS, true))) {
            assertThat(Module.validate(exceptions, tagExport.getBytes(StandardCharsets.UTF_8)))
                    .isFalse();
            assertThatThrownBy(() -> Module.compile(exceptions, tagExport)).isInstanceOf(CompileException.class);
        }
        String bigMemory = "(module (memory 2))";
        try (Engine capped = new Engine(new Config().maxMemory(Memory.PAGE_SIZE))) {
            assertThat(Module.validate(engine, bigMemory.getBytes(StandardCharsets.UTF_8)))
                    .isTrue();
            assertThat(Module.validate(capped, bigMemory.getBytes(StandardCharsets.UTF_8)))
                    .isFalse();
        }
    }

    @Test
    void compileThroughAStoreAndNames() {
        try (Store store = new Store(engine);
                Module module = Module.compile(store, TestModules.ADD.getBytes(StandardCharsets.UTF_8))) {
            assertThat(module.name()).isEmpty();
            assertThat(module.toString()).contains("1 exports");
        }
        try (Module named = Module.compile(engine, "(module $m)")) {
            assertThat(named.name()).isEqualTo("m");
            assertThat(named.name("other")).isTrue();
            assertThat(named.name()).isEqualTo("other");
        }
        // libwasmer renames only a module whose info nothing else shares; code registers its frame info globally
        try (Module withCode = Module.compile(engine, TestModules.ADD)) {
            assertThat(withCode.name("other")).isFalse();
            assertThat(withCode.name()).isEmpty();
        }
    }

    @Test
    void backendsAndVersion() {
        assertThat(Backend.CRANELIFT.isAvailable()).isTrue();
        assertThat(Backend.SINGLEPASS.isAvailable()).isTrue();
        assertThat(Backend.LLVM.isAvailable()).isFalse();
        assertThat(Backend.available()).contains(Backend.CRANELIFT, Backend.SINGLEPASS);
        assertThat(Backend.of(" Singlepass ")).isEqualTo(Backend.SINGLEPASS);
        assertThatThrownBy(() -> Backend.of("jit"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown Wasmer backend 'jit'");
        assertThatThrownBy(() -> new Engine(new Config().backend(Backend.LLVM)))
                .isInstanceOf(BackendUnavailableException.class)
                .hasMessageContaining("llvm")
                .hasMessageContaining("cranelift");
        try (Engine single = new Engine(new Config().backend(Backend.SINGLEPASS).canonicalizeNans(true));
                Module m = Module.compile(single, TestModules.ADD);
                Store s = new Store(single);
                Instance in = Instance.create(s, m)) {
            assertThat(in.func("add").call(2, 3)).containsExactly(5);
            assertThat(single.config().canonicalizeNans()).isTrue();
        }
    }
}
