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
            try (Module back = Module.deserialize(engine, sealed, key);
                    Store store = new Store(engine);
                    Instance in = Instance.create(store, back)) {
                assertThat(back.exports()).isEqualTo(module.exports());
                assertThat(in.func("add").call(1, 2)).containsExactly(3);
            }
            assertThatThrownBy(() -> Module.deserialize(engine, sealed, ArtifactKey.random()))
                    .isInstanceOf(ArtifactAuthenticationException.class)
                    .hasMessageContaining("not loaded");
            assertThatThrownBy(() -> Module.deserialize(engine, module.serialize(), key))
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
