package dev.wasmerffm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Wasmer's extensions: features, targets, metering, engine lifetime, tracing. */
class ExtensionsTest {

    static final String LOOP = """
            (module
              (func (export "spin") (loop br 0))
              (func (export "count") (param i32) (result i32) (local i32)
                (block (loop
                  (br_if 1 (i32.ge_u (local.get 1) (local.get 0)))
                  (local.set 1 (i32.add (local.get 1) (i32.const 1)))
                  (br 0)))
                local.get 1))
            """;

    @Test
    void aDisabledFeatureFailsCompileWithAClearMessage() {
        String simd = "(module (func (export \"f\") (result v128) v128.const i32x4 0 0 0 0))";
        try (Engine off = new Engine(new Config().feature(Feature.SIMD, false))) {
            assertThatThrownBy(() -> Module.compile(off, simd))
                    .isInstanceOf(CompileException.class)
                    .hasMessageContaining("SIMD");
        }
        try (Engine on = new Engine(new Config().feature(Feature.SIMD, true).feature(Feature.BULK_MEMORY, true));
                Module m = Module.compile(on, simd)) {
            assertThat(m.usesV128()).isTrue();
            assertThat(on.config().features()).containsEntry(Feature.SIMD, true);
        }
        for (Feature f : Feature.values()) {
            if (f == Feature.MEMORY64) { // libwasmer aborts compiling what it enables
                assertThatThrownBy(() -> new Config().feature(f, true)).isInstanceOf(IllegalArgumentException.class);
            } else {
                try (Engine e = new Engine(new Config().feature(f, true))) {
                    assertThat(e.isClosed()).isFalse();
                }
            }
            assertThat(Feature.of(f.toString())).isEqualTo(f);
        }
        assertThatThrownBy(() -> Feature.of("gc"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown Wasm feature 'gc'");
    }

    @Test
    void crossCompilesForAarch64AndTheHostRefusesTheArtifact() {
        Target arm = Target.of("aarch64-unknown-linux-gnu", "neon");
        assertThat(arm.isHost()).isFalse();
        byte[] artifact;
        try (Engine cross = new Engine(new Config().target(arm));
                Module m = Module.compile(cross, TestModules.ADD)) {
            artifact = m.serialize();
            assertThat(artifact.length).isGreaterThan(100);
        }
        try (Engine host = new Engine()) {
            assertThatThrownBy(() -> Module.deserializeUnchecked(host, artifact))
                    .isInstanceOf(ArtifactMismatchException.class)
                    .hasMessageContaining(
                            "target is aarch64-unknown-linux-gnu [neon] in the artifact, host linux-x86_64" + " here");
        }
        // without CPU features libwasmer itself would load the aarch64 code here; the binding refuses to run it
        try (Engine cross = new Engine(new Config().target(Target.of("aarch64-unknown-linux-gnu")));
                Module m = Module.compile(cross, TestModules.ADD);
                Store s = new Store(cross)) {
            assertThat(m.arch()).isEqualTo("aarch64");
            assertThat(m.runsHere()).isFalse();
            assertThatThrownBy(() -> Instance.create(s, m))
                    .isInstanceOf(LinkException.class)
                    .hasMessageContaining("compiled for aarch64");
            try (Module back = Module.deserializeUnchecked(cross, m.serialize())) {
                assertThat(back.arch()).isEqualTo("aarch64");
            }
        }
        try (Engine host = new Engine(new Config().target(Target.host("sse2")));
                Module m = Module.compile(host, TestModules.ADD);
                Store s = new Store(host);
                Instance in = Instance.create(s, m)) {
            assertThat(in.func("add").call(1, 1)).containsExactly(2);
        }
        assertThatThrownBy(() -> Target.of("not-a-triple-at-all-x"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("invalid target triple 'not-a-triple-at-all-x'");
        assertThatThrownBy(() -> Target.host("warp-drive"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown CPU feature 'warp-drive'");
        assertThat(arm.toString()).contains("aarch64");
    }

    @Test
    void meteringStopsAnInfiniteLoopAndTheInstanceRunsAgainAfterAReset() {
        try (Engine engine = new Engine(new Config().metering(Metering.of(10_000)));
                Module module = Module.compile(engine, LOOP);
                Store store = new Store(module);
                Instance in = Instance.create(store, module)) {
            assertThat(module.isMetered()).isTrue();
            assertThat(in.isMetered()).isTrue();
            assertThat(in.remainingPoints()).isEqualTo(10_000);
            assertThatThrownBy(() -> in.func("spin").call())
                    .isInstanceOfSatisfying(MeteringExhaustedException.class, e -> assertThat(e.kind())
                            .isEqualTo(TrapKind.OUT_OF_POINTS));
            assertThat(in.pointsExhausted()).isTrue();
            assertThat(in.remainingPoints()).isZero();
            assertThatThrownBy(() -> in.func("count").call(10)).isInstanceOf(MeteringExhaustedException.class);
            in.remainingPoints(10_000);
            assertThat(in.pointsExhausted()).isFalse();
            assertThat(in.func("count").call(10)).containsExactly(10);
            long left = in.remainingPoints();
            assertThat(left).isLessThan(10_000).isPositive();
            assertThat(in.exports()).containsOnlyKeys("spin", "count");
        }
    }

    @Test
    void aMeteredEngineCompilesManyModulesEachWithANativeEngineAndStoreOfItsOwn() {
        try (Engine engine = new Engine(new Config().metering(Metering.of(1_000, op -> op.equals("Loop") ? 50 : 1)));
                Store engineStore = new Store(engine)) {
            for (int i = 0; i < 3; i++) { // libwasmer panics on a second module per middleware; never here
                try (Module m = Module.compile(engine, LOOP);
                        Store store = new Store(m);
                        Instance in = Instance.create(store, m)) {
                    assertThat(in.func("count").call(3)).containsExactly(3);
                    // the engine's own store runs another native engine: refused, not a panic on a funcref later
                    assertThatThrownBy(() -> Instance.create(engineStore, m))
                            .isInstanceOf(LinkException.class)
                            .hasMessageContaining("new Store(module)");
                }
            }
            try (Module viaStore = Module.compile(engineStore, LOOP.getBytes());
                    Store store = new Store(viaStore);
                    Instance in = Instance.create(store, viaStore)) {
                assertThat(in.isMetered()).isTrue();
            }
            assertThat(engine.config().metering().cost("Loop")).isEqualTo(50);
            assertThat(engine.config().metering().cost("I32Add")).isEqualTo(1);
            assertThatThrownBy(() -> engine.config().metering().cost("Nope"))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void meteringCallsOnAnUnmeteredInstanceAreRefused() {
        try (Engine engine = new Engine();
                Module m = Module.compile(engine, LOOP);
                Store s = new Store(engine);
                Instance in = Instance.create(s, m)) {
            assertThat(in.isMetered()).isFalse();
            assertThatThrownBy(in::remainingPoints)
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("unmetered");
            assertThatThrownBy(in::pointsExhausted).isInstanceOf(IllegalStateException.class);
            assertThatThrownBy(() -> in.remainingPoints(5)).isInstanceOf(IllegalStateException.class);
        }
    }

    @Test
    void aThrowingCostFunctionFailsCleanly() {
        assertThatThrownBy(() -> Metering.of(10, op -> {
                    throw new IllegalStateException("no price for " + op);
                }))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("metering cost function failed")
                .hasRootCauseInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> Metering.of(10, op -> -1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("negative cost");
        assertThatThrownBy(() -> Metering.of(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThat(Metering.OPERATORS).hasSizeGreaterThan(500).contains("Unreachable", "I32Add", "Call");
    }

    @Test
    void meteredArtifactsLoadOnlyIntoAnEngineMeteredAlikeAndStayMetered() {
        byte[] artifact;
        String identity;
        ArtifactKey key = ArtifactKey.random();
        Config metered = new Config().metering(Metering.of(500));
        try (Engine engine = new Engine(metered);
                Module m = Module.compile(engine, LOOP)) {
            artifact = m.serialize(key);
            identity = m.identity();
        }
        try (Engine plain = new Engine()) {
            assertThatThrownBy(() -> Module.deserialize(plain, artifact, key, identity))
                    .isInstanceOf(ArtifactMismatchException.class)
                    .hasMessageContaining("metering is 500/")
                    .hasMessageContaining(", off here");
        }
        try (Engine alike = new Engine(metered);
                Module back = Module.deserialize(alike, artifact, key, identity);
                Store s = new Store(back);
                Instance in = Instance.create(s, back)) {
            assertThat(back.isMetered()).isTrue();
            assertThatThrownBy(() -> in.func("spin").call()).isInstanceOf(MeteringExhaustedException.class);
        }
    }

    /** Regression: code lives in the compiling engine; closing it while modules run must not free it. */
    @Test
    void modulesAndStoresKeepTheirCompilingEngineAlive() {
        Engine compiler = new Engine();
        Module m = Module.compile(compiler, TestModules.ADD);
        compiler.close();
        System.gc();
        try (Store s = new Store(m);
                Instance in = Instance.create(s, m)) {
            m.close();
            System.gc();
            assertThat(in.func("add").call(2, 3)).containsExactly(5);
        }
        assertThatThrownBy(() -> Module.compile(compiler, TestModules.ADD)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void versionHeadlessAndTracing() {
        assertThat(Wasmer.isHeadless()).isFalse();
        assertThat(Backend.HEADLESS.isAvailable()).isTrue(); // artifact-only engines exist in every sys build
        assertThat(Backend.V8.isAvailable()).isFalse();
        assertThatThrownBy(() -> Wasmer.setupTracing(-1, false)).isInstanceOf(IllegalArgumentException.class);
        boolean first = Wasmer.setupTracing(0, false);
        assertThat(Wasmer.setupTracing(0, false)).isFalse();
        assertThat(first || !first).isTrue();
        try (Engine e = new Engine();
                Module m = Module.compile(e, TestModules.ADD)) {
            assertThat(m.exports()).hasSize(1);
        }
        assertThat(List.of(Wasmer.version().major(), Wasmer.version().minor())).containsExactly(7, 4);
    }
}
