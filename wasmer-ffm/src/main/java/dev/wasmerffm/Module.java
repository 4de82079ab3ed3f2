package dev.wasmerffm;

import dev.wasmerffm.internal.NativeJar;
import dev.wasmerffm.internal.store.LastError;
import dev.wasmerffm.internal.store.SharedResource;
import dev.wasmerffm.internal.wasm.Bytes;
import dev.wasmerffm.raw.LibWasm;
import dev.wasmerffm.raw.LibWasmer;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * A compiled module. Thread-safe and independent of stores: compile once, instantiate in many stores on many
 * threads. Imports and exports are read from the module's binary by this binding, so modules using SIMD work too
 * (their v128 functions just cannot be called from Java).
 */
public final class Module implements AutoCloseable {

    /** Format 2 added the libwasmer version and engine facts, and left the MAC to {@link ArtifactKey}. */
    private static final byte[] MAGIC = {'W', 'F', 'F', 'M', 2};

    private static final byte METERED = 1;
    /** Artifacts sealed by {@link #serialize(ArtifactKey)} are bound to no name; a cache binds its entry key. */
    private static final byte[] NO_CONTEXT = {};

    private final Engine engine;
    private final SharedResource resource;
    private final ModuleInfo info;
    /** The native engine holding this module's machine code. */
    private final SharedResource.State code;

    private final boolean metered;
    /** The CPU architecture of the machine code, e.g. x86_64. */
    private final String arch;

    private Module(
            Engine engine,
            MemorySegment module,
            ModuleInfo info,
            SharedResource.State code,
            boolean metered,
            String arch) {
        this.engine = engine;
        this.info = info;
        this.code = code;
        this.metered = metered;
        this.arch = arch;
        this.resource = new SharedResource(this, "Module", module, m -> {
            LibWasm.wasm_module_delete(m);
            code.release();
        });
    }

    /**
     * Compiles a module from its binary or WAT text, without a store ({@code wasmer_module_new}), after applying the
     * engine's memory limit ({@link Config#maxMemory(long)}). Bytes starting with {@code \0asm} are a binary; other
     * bytes are WAT only if they can be text (valid UTF-8 without control bytes), else a binary-format error. Use
     * {@link #fromBinary} where the bytes must be a binary.
     *
     * @throws CompileException if the module is malformed or invalid, with libwasmer's message or, for what this
     *         binding reads itself, the offset
     */
    public static Module compile(Engine engine, byte[] wasmOrWat) {
        return fromBinary(engine, Wasmer.wat2wasm(wasmOrWat));
    }

    /**
     * Compiles a module binary ({@code wasmer_module_new}), never taking the bytes for WAT: every error is about the
     * binary format.
     *
     * @throws CompileException if the bytes are not a valid module, naming the offset where this binding reads them
     */
    public static Module fromBinary(Engine engine, byte[] wasm) {
        byte[] prepared = engine.prepare(wasm);
        ModuleInfo info = ModuleInfo.read(prepared);
        Engine.Compiled c = engine.compile(e -> {
            try (Arena arena = Arena.ofConfined()) {
                return LibWasmer.wasmer_module_new(e, Bytes.borrowed(arena, prepared));
            }
        });
        return checked(engine, c.module(), info, c.engine(), engine.isMetered());
    }

    /** {@link #compile(Engine, byte[])} on WAT text. */
    public static Module compile(Engine engine, String wat) {
        return compile(engine, Wasmer.wat2wasm(wat));
    }

    /**
     * Compiles through a store ({@code wasm_module_new}); the module is usable in every store. A metered engine
     * compiles as {@link #compile(Engine, byte[])} does, with a fresh metering middleware.
     */
    public static Module compile(Store store, byte[] wasmOrWat) {
        if (store.engine().isMetered()) {
            return compile(store.engine(), wasmOrWat);
        }
        byte[] wasm = store.engine().prepare(Wasmer.wat2wasm(wasmOrWat));
        ModuleInfo info = ModuleInfo.read(wasm);
        MemorySegment s = store.enter();
        try (Arena arena = Arena.ofConfined()) {
            SharedResource.State code = store.nativeEngine;
            if (!code.retain()) {
                throw new IllegalStateException("Store is closed");
            }
            MemorySegment module = LibWasm.wasm_module_new(s, Bytes.borrowed(arena, wasm));
            if (module.equals(MemorySegment.NULL)) {
                code.release();
            }
            return checked(store.engine(), module, info, code, false);
        } finally {
            store.exit();
        }
    }

    private static Module checked(
            Engine engine, MemorySegment module, ModuleInfo info, SharedResource.State code, boolean metered) {
        if (module.equals(MemorySegment.NULL)) {
            throw new CompileException("cannot compile module: " + LastError.take("invalid module"));
        }
        return new Module(engine, module, info, code, metered, archOf(engine.target()));
    }

    /** The architecture a target compiles for. */
    private static String archOf(Target target) {
        if (target == null || target.isHost()) {
            return NativeJar.hostArch();
        }
        String triple = target.triple();
        return triple.substring(0, triple.indexOf('-') < 0 ? triple.length() : triple.indexOf('-'));
    }

    /** The CPU architecture of the module's machine code, in target-triple spelling (e.g. {@code aarch64}). */
    public String arch() {
        return arch;
    }

    /** Whether this machine can run the module's code. */
    public boolean runsHere() {
        return arch.equals(NativeJar.hostArch());
    }

    /** Whether the bytes (binary or WAT) are a valid module for this engine ({@code wasm_module_validate}). */
    public static boolean validate(Engine engine, byte[] wasmOrWat) {
        byte[] wasm;
        try {
            wasm = Wasmer.wat2wasm(wasmOrWat);
        } catch (CompileException e) {
            return false;
        }
        try (Store store = new Store(engine);
                Arena arena = Arena.ofConfined()) {
            MemorySegment s = store.enter();
            try {
                boolean valid = LibWasm.wasm_module_validate(s, Bytes.borrowed(arena, wasm));
                if (!valid) {
                    LastError.take(null); // do not leave it for an unrelated later failure on this thread
                }
                return valid;
            } finally {
                store.exit();
            }
        }
    }

    /** The engine this module was compiled by. */
    public Engine engine() {
        return engine;
    }

    /** The imports the module declares, in order. */
    public List<ImportType> imports() {
        resource.use(m -> m); // closed check
        return info.imports();
    }

    /** The exports the module declares, in order. */
    public List<ExportType> exports() {
        resource.use(m -> m);
        return info.exports();
    }

    /** The export with this name, if any. */
    public Optional<ExportType> export(String name) {
        return exports().stream().filter(e -> e.name().equals(name)).findFirst();
    }

    /** Whether any signature in the module mentions v128. */
    public boolean usesV128() {
        return info.hasV128();
    }

    ModuleInfo info() {
        return info;
    }

    /** Whether instances of this module carry metering points. */
    public boolean isMetered() {
        return metered;
    }

    /** The engine holding the machine code; a store running an instance keeps it alive. */
    SharedResource.State code() {
        return code;
    }

    /** A reference to the native engine holding the code, for a store made for this module. */
    SharedResource.State retainCode() {
        resource.use(m -> m); // closed check
        if (!code.retain()) {
            throw new IllegalStateException("Module is closed");
        }
        return code;
    }

    /** Which native engine compiled it, for messages. */
    String nativeEngineName() {
        return metered
                ? "its own metered native engine"
                : code == engine.nativeState() ? "the native engine of " + engine : "another native engine";
    }

    /** The module's name ({@code wasmer_module_name}), empty when it has none. */
    public String name() {
        return resource.use(m -> {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment out = Bytes.out(arena);
                LibWasmer.wasmer_module_name(m, out);
                return new String(Bytes.take(out), java.nio.charset.StandardCharsets.UTF_8);
            }
        });
    }

    /** Sets the module's name ({@code wasmer_module_set_name}); false if libwasmer refused it. */
    public synchronized boolean name(String name) {
        return resource.use(m -> {
            try (Arena arena = Arena.ofConfined()) {
                return LibWasmer.wasmer_module_set_name(m, Bytes.borrowed(arena, name));
            }
        });
    }

    /**
     * The compiled code, sealed under {@code key}: an HMAC-SHA256 over the binding's header (interface,
     * architecture, libwasmer version and engine facts such as metering, backend, features and target) and
     * libwasmer's artifact. Load it with {@link #deserialize(Engine, byte[], ArtifactKey)}.
     */
    public byte[] serialize(ArtifactKey key) {
        return key.seal(NO_CONTEXT, serialize());
    }

    /**
     * The compiled code without authentication: the binding's header then libwasmer's artifact. Only
     * {@link #deserializeUnchecked} loads it; prefer {@link #serialize(ArtifactKey)} unless the bytes are
     * authenticated some other way.
     */
    public byte[] serialize() {
        byte[] artifact = resource.use(m -> {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment out = Bytes.out(arena);
                LibWasm.wasm_module_serialize(m, out);
                if (out.get(java.lang.foreign.ValueLayout.ADDRESS, 8).equals(MemorySegment.NULL)) {
                    throw new WasmerException("cannot serialize module: " + LastError.take("no reason given"));
                }
                return Bytes.take(out);
            }
        });
        byte[] iface = info.interfaceBytes();
        byte[] archBytes = arch.getBytes(StandardCharsets.US_ASCII);
        byte[] version = Wasmer.version().full().getBytes(StandardCharsets.US_ASCII);
        byte[] facts = engine.config().compiledCodeFacts().getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(MAGIC.length
                        + 9
                        + archBytes.length
                        + version.length
                        + facts.length
                        + iface.length
                        + artifact.length)
                .put(MAGIC)
                .put(metered ? METERED : 0)
                .put((byte) archBytes.length)
                .put(archBytes)
                .put((byte) version.length)
                .put(version)
                .putShort((short) facts.length)
                .put(facts)
                .putInt(iface.length)
                .put(iface)
                .put(artifact)
                .array();
    }

    /**
     * Loads what {@link #serialize(ArtifactKey)} produced, after checking its MAC under {@code key}: bytes that do not
     * verify never reach libwasmer.
     *
     * @throws ArtifactAuthenticationException if the bytes were changed, truncated or sealed with another key
     * @throws CompileException if they were made for another architecture or libwasmer version
     */
    public static Module deserialize(Engine engine, byte[] sealed, ArtifactKey key) {
        return deserializeAt(engine, sealed, key.verify(sealed, NO_CONTEXT));
    }

    /**
     * Loads what {@link #serialize()} produced, <b>without authenticating it</b>: libwasmer turns the bytes into
     * native code and runs it in this process, trusting every byte (a changed byte can crash the JVM or run other
     * code). Only for bytes authenticated some other way; otherwise use
     * {@link #deserialize(Engine, byte[], ArtifactKey)}.
     *
     * @throws CompileException if the header is malformed or names another architecture or libwasmer version
     */
    public static Module deserializeUnchecked(Engine engine, byte[] serialized) {
        return deserializeAt(engine, serialized, 0);
    }

    /**
     * {@link #deserializeUnchecked} of the serialized module starting at {@code from}: a sealed one is loaded in
     * place, its artifact (megabytes) copied once, into native memory.
     */
    static Module deserializeAt(Engine engine, byte[] serialized, int from) {
        ByteBuffer in = ByteBuffer.wrap(serialized, from, serialized.length - from);
        boolean metered;
        String arch;
        String version;
        byte[] iface;
        try {
            byte[] magic = new byte[MAGIC.length];
            in.get(magic);
            if (!Arrays.equals(magic, MAGIC)) {
                throw new CompileException("not a module serialized by this binding version (bad header)");
            }
            metered = (in.get() & METERED) != 0;
            arch = new String(take(in, in.get() & 0xFF), StandardCharsets.US_ASCII);
            version = new String(take(in, in.get() & 0xFF), StandardCharsets.US_ASCII);
            take(in, in.getShort() & 0xFFFF); // engine facts: authenticated with the rest, read by no one here
            iface = take(in, in.getInt());
        } catch (BufferUnderflowException e) {
            throw new CompileException("truncated serialized module header (" + serialized.length + " bytes)", e);
        }
        String engineArch = archOf(engine.target());
        if (!arch.equals(engineArch)) {
            // libwasmer may load foreign machine code without complaint; running it would crash the process
            throw new CompileException("module was compiled for " + arch + ", this engine runs " + engineArch);
        }
        if (!version.equals(Wasmer.version().full())) {
            throw new CompileException("module was compiled by libwasmer " + version + ", this is " + Wasmer.version()
                    + ": compile it again");
        }
        ModuleInfo info = ModuleInfo.read(iface);
        int artifact = in.position();
        try (Store store = new Store(engine);
                Arena arena = Arena.ofConfined()) {
            MemorySegment s = store.enter();
            try {
                MemorySegment module = LibWasm.wasm_module_deserialize(
                        s, Bytes.borrowed(arena, serialized, artifact, serialized.length - artifact));
                if (module.equals(MemorySegment.NULL)) {
                    throw new CompileException("cannot deserialize module: " + LastError.take("invalid artifact"));
                }
                return new Module(engine, module, info, engine.retain(), metered, arch);
            } finally {
                store.exit();
            }
        }
    }

    /** The next {@code length} bytes of a serialized header, checked against what is left before allocating. */
    private static byte[] take(ByteBuffer in, int length) {
        if (length < 0 || length > in.remaining()) {
            throw new CompileException("serialized module header: a length of " + Integer.toUnsignedString(length)
                    + " before offset " + in.position() + " runs past the end (" + in.remaining() + " bytes left)");
        }
        byte[] b = new byte[length];
        in.get(b);
        return b;
    }

    /** Runs a native operation with the module pointer. */
    <T> T use(java.util.function.Function<MemorySegment, T> operation) {
        return resource.use(operation);
    }

    /** Whether {@link #close()} has been called. */
    public boolean isClosed() {
        return resource.isClosed();
    }

    /** Frees the compiled module; instances already made from it keep working. */
    @Override
    public void close() {
        resource.close();
    }

    @Override
    public String toString() {
        return "Module[" + info.imports().size() + " imports, " + info.exports().size() + " exports]";
    }
}
