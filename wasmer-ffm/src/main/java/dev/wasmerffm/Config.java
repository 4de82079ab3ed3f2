package dev.wasmerffm;

import dev.wasmerffm.internal.NativeJar;
import dev.wasmerffm.internal.wasm.LimitsCap;
import dev.wasmerffm.internal.wasm.MalformedWasmException;
import dev.wasmerffm.raw.LibWasm;
import dev.wasmerffm.raw.LibWasmer;
import java.lang.foreign.MemorySegment;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;

/**
 * How an {@link Engine} compiles: backend, features, target, NaN canonicalization and metering. A plain Java object:
 * nothing native exists until an engine is made from it, and the engine takes a snapshot, so one config can serve
 * many engines and be changed between them.
 */
public final class Config {

    private Backend backend = Backend.CRANELIFT;
    private final Map<Feature, Boolean> features = new EnumMap<>(Feature.class);
    private Target target;
    private boolean canonicalizeNans;
    private Metering metering;
    private boolean deadlines;
    private long maxMemoryPages = -1;
    private long maxTableElements = -1;

    /** An independent copy: an engine keeps one, so changing this config later does not change the engine. */
    public Config copy() {
        Config c = new Config();
        c.backend = backend;
        c.features.putAll(features);
        c.target = target;
        c.canonicalizeNans = canonicalizeNans;
        c.metering = metering;
        c.deadlines = deadlines;
        c.maxMemoryPages = maxMemoryPages;
        c.maxTableElements = maxTableElements;
        return c;
    }

    /** The backend compiling modules (default {@link Backend#CRANELIFT}). */
    public Backend backend() {
        return backend;
    }

    /** Chooses the backend; checked against the loaded libwasmer when the engine is made. */
    public Config backend(Backend backend) {
        this.backend = Objects.requireNonNull(backend, "backend");
        return this;
    }

    /**
     * Turns a proposal on or off; features not set keep libwasmer's default.
     *
     * @throws IllegalArgumentException turning on {@link Feature#MEMORY64}: libwasmer 7.4.2 accepts the flag, then
     *         aborts the process compiling any 64-bit memory
     */
    public Config feature(Feature feature, boolean enabled) {
        if (feature == Feature.MEMORY64 && enabled) {
            throw new IllegalArgumentException("feature memory64 cannot be turned on: libwasmer " + Wasmer.version()
                    + " validates 64-bit memories, then aborts the process compiling them");
        }
        features.put(Objects.requireNonNull(feature, "feature"), enabled);
        return this;
    }

    /** The features set explicitly. */
    public Map<Feature, Boolean> features() {
        return Collections.unmodifiableMap(features);
    }

    /** The compilation target; null (default) for this host. */
    public Target target() {
        return target;
    }

    /** Compiles for another target: modules can then be serialized for it but not run here. */
    public Config target(Target target) {
        this.target = target;
        return this;
    }

    /** Whether float operations produce canonical NaNs. */
    public boolean canonicalizeNans() {
        return canonicalizeNans;
    }

    /** Makes float operations produce canonical NaNs, for deterministic execution. */
    public Config canonicalizeNans(boolean enable) {
        this.canonicalizeNans = enable;
        return this;
    }

    /**
     * The metering of modules compiled by the engine; null for none. With {@link #deadlines(boolean)} and no
     * metering set, {@link Long#MAX_VALUE} points per instance at one point per operator.
     */
    public Metering metering() {
        return metering != null || !deadlines ? metering : Metering.unlimited();
    }

    /** Whether modules are compiled so that calls can have deadlines. */
    public boolean deadlines() {
        return deadlines || metering != null;
    }

    /**
     * Compiles every module so its calls can be stopped at a deadline
     * ({@link Func#callWithTimeout(java.time.Duration, Object...)}, {@link Store#callTimeout(java.time.Duration)}).
     * libwasmer cannot interrupt wasm, so a deadline stops it through metering: a metered config supports
     * deadlines already, and without one this meters at a budget no call exhausts. It costs what metering costs: a
     * counter update per basic block of the compiled code, a native engine per module, and instances only in
     * {@code new Store(module)}.
     */
    public Config deadlines(boolean enable) {
        this.deadlines = enable;
        return this;
    }

    /** Meters every module the engine compiles. */
    public Config metering(Metering metering) {
        this.metering = metering;
        return this;
    }

    /** The most 64 KiB pages a module's own memory may have; -1 (default) for no limit. */
    public long maxMemoryPages() {
        return maxMemoryPages;
    }

    /**
     * Limits every memory a module defines to {@code bytes} (rounded down to whole 64 KiB pages): libwasmer's C API
     * has no memory limiter, so modules are rewritten before compiling (see {@link Module#compile(Engine, byte[])}).
     */
    public Config maxMemory(long bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("maxMemory must be >= 0, got " + bytes);
        }
        this.maxMemoryPages = bytes / Memory.PAGE_SIZE;
        return this;
    }

    /** The most elements a module's own table may have; -1 (default) for no limit. */
    public long maxTableElements() {
        return maxTableElements;
    }

    /** Limits every table a module defines to {@code elements}, rewriting declared maxima like {@link #maxMemory}. */
    public Config maxTableElements(long elements) {
        if (elements < 0) {
            throw new IllegalArgumentException("maxTableElements must be >= 0, got " + elements);
        }
        this.maxTableElements = elements;
        return this;
    }

    /**
     * Everything here that changes compiled code, with the libwasmer version: part of every artifact's authenticated
     * header and of every cache key, so two configs whose code differs never share an artifact. A new setting goes
     * here too ({@code ConfigTest} fails for a field that changes nothing here).
     */
    String compiledCodeFacts() {
        Metering m = metering();
        return "wasmer=" + Wasmer.version() + ";backend=" + backend + ";features=" + features + ";target="
                + targetFact() + ";nans=" + canonicalizeNans + ";maxMemoryPages=" + maxMemoryPages
                + ";maxTableElements=" + maxTableElements + ";metering="
                + (m == null ? "off" : m.initialPoints() + "/" + m.costsDigest()) + ";deadlines=" + deadlines();
    }

    /**
     * The target, with the host's platform for the host: libwasmer loads code made for another operating system
     * of the same architecture (and aborts on Windows unwind information), so "host" must not match across them.
     */
    private String targetFact() {
        if (target == null || target.isHost()) {
            String platform = "host " + NativeJar.platform();
            return target == null ? platform : platform + " " + target.cpuFeatures();
        }
        return target.toString();
    }

    /**
     * Refuses what libwasmer 7.4.2's Cranelift aborts the process on when it compiles: an architecture it was not
     * built for (it builds x86_64, aarch64 and riscv64 here), and SIMD code for riscv64 (no lowering for
     * {@code extract_lane} without the vector extension, which no CPU feature of the C API can express).
     *
     * @throws BackendUnavailableException naming the target
     */
    void checkCompilable() {
        if (backend != Backend.CRANELIFT) {
            return; // singlepass refuses foreign targets with a compile error; the pinned build has no LLVM or V8
        }
        String arch = target == null ? NativeJar.hostArch() : target.arch();
        String why = null;
        if (arch.startsWith("riscv64")) {
            if (features.get(Feature.SIMD) != Boolean.FALSE) {
                why = "for " + arch + " it needs feature simd turned off (libwasmer aborts the process compiling SIMD"
                        + " code for riscv64)";
            }
        } else if (!arch.equals("x86_64") && !arch.equals("aarch64")) {
            why = "it cannot compile for " + arch + " (libwasmer aborts the process asking it to); it compiles for"
                    + " x86_64, aarch64 and riscv64";
        }
        if (why != null) {
            throw new BackendUnavailableException(backend, Backend.available(), why);
        }
    }

    /** The module as this config compiles it: with its memory and table maxima capped, if caps are set. */
    byte[] prepare(byte[] wasm) {
        return maxMemoryPages < 0 && maxTableElements < 0 ? wasm : capped(wasm);
    }

    private byte[] capped(byte[] wasm) {
        try {
            return LimitsCap.apply(wasm, maxMemoryPages, maxTableElements);
        } catch (MalformedWasmException e) {
            throw new CompileException(e.getMessage());
        }
    }

    /**
     * Builds a native {@code wasm_config_t}, which the engine constructor consumes. {@code metered} pushes a fresh
     * metering middleware: libwasmer's serves one module, so each metered compile gets its own engine.
     */
    MemorySegment toNative(boolean metered) {
        if (!backend.isAvailable()) {
            throw new BackendUnavailableException(backend, Backend.available());
        }
        Target.Native t = target == null ? null : target.toNative();
        MemorySegment config = LibWasm.wasm_config_new();
        LibWasm.wasm_config_set_backend(config, backend.code());
        if (!features.isEmpty()) {
            MemorySegment f = LibWasmer.wasmer_features_new();
            features.forEach((feature, on) -> feature.apply(f, on));
            LibWasm.wasm_config_set_features(config, f); // takes f
        }
        if (t != null) {
            LibWasm.wasm_config_set_target(config, t.target()); // takes the target, which took triple and cpu
        }
        if (canonicalizeNans) {
            LibWasm.wasm_config_sys_canonicalize_nans(config, true);
        }
        if (metered) {
            LibWasm.wasm_config_push_middleware(config, metering().newMiddleware()); // takes the middleware
        }
        return config;
    }

    @Override
    public String toString() {
        return "Config[backend=" + backend + ", features=" + features + ", target=" + (target == null ? "host" : target)
                + ", canonicalizeNans=" + canonicalizeNans + ", metering=" + metering + (deadlines ? ", deadlines" : "")
                + (maxMemoryPages < 0 ? "" : ", maxMemoryPages=" + maxMemoryPages)
                + (maxTableElements < 0 ? "" : ", maxTableElements=" + maxTableElements) + "]";
    }
}
