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
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A compiled module. Thread-safe and independent of stores: compile once, instantiate in many stores on many
 * threads. Imports and exports are read from the module's binary by this binding, so modules using SIMD work too
 * (their v128 functions just cannot be called from Java).
 */
public final class Module implements AutoCloseable {

    /**
     * Format 3 added the module's identity and left the architecture and version to the engine facts; format 2 added
     * the libwasmer version and engine facts, and left the MAC to {@link ArtifactKey}.
     */
    private static final byte[] MAGIC = {'W', 'F', 'F', 'M', 3};

    /** What {@link #serialize(ArtifactKey)} binds into the MAC besides the bytes: nothing (a cache binds its key). */
    private static final byte[] NO_CONTEXT = {};

    private final Engine engine;
    private final SharedResource resource;
    private final ModuleInfo info;
    /** The native engine holding this module's machine code. */
    private final SharedResource.State code;

    private final boolean metered;
    /** The CPU architecture of the machine code, e.g. x86_64. */
    private final String arch;
    /** What its artifacts are bound to: {@link #identityOf} its binary, or the name it was serialized under. */
    private final String identity;

    private Module(
            Engine engine,
            MemorySegment module,
            ModuleInfo info,
            SharedResource.State code,
            boolean metered,
            String identity) {
        this.engine = engine;
        this.info = info;
        this.code = code;
        this.metered = metered;
        this.arch =
                engine.target() == null ? NativeJar.hostArch() : engine.target().arch();
        this.identity = identity;
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
        return checked(engine, c.module(), info, c.engine(), engine.isMetered(), identity(wasm));
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
        byte[] binary = Wasmer.wat2wasm(wasmOrWat);
        byte[] wasm = store.engine().prepare(binary);
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
            return checked(store.engine(), module, info, code, false, identity(binary));
        } finally {
            store.exit();
        }
    }

    private static Module checked(
            Engine engine,
            MemorySegment module,
            ModuleInfo info,
            SharedResource.State code,
            boolean metered,
            String identity) {
        if (module.equals(MemorySegment.NULL)) {
            throw new CompileException("cannot compile module: " + LastError.take("invalid module"));
        }
        return new Module(engine, module, info, code, metered, identity);
    }

    /**
     * The identity of a module's bytes (binary or WAT, taken as {@link #compile(Engine, byte[])} takes them):
     * {@code sha256:} and the hex SHA-256 of the binary. A module compiled from them has it as {@link #identity()}.
     *
     * @throws CompileException if the bytes are neither a binary nor valid WAT
     */
    public static String identityOf(byte[] wasmOrWat) {
        return identity(Wasmer.wat2wasm(wasmOrWat));
    }

    private static String identity(byte[] wasm) {
        try {
            return "sha256:"
                    + HexFormat.of()
                            .formatHex(MessageDigest.getInstance("SHA-256").digest(wasm));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    /**
     * What this module's artifacts are bound to: {@link #identityOf} the binary it was compiled from, or for a
     * deserialized module the identity its artifact carries (a name given to {@link #serialize(ArtifactKey,
     * String)}).
     */
    public String identity() {
        return identity;
    }

    /** The CPU architecture of the module's machine code, in target-triple spelling (e.g. {@code aarch64}). */
    public String arch() {
        return arch;
    }

    /** Whether this machine can run the module's code. */
    public boolean runsHere() {
        return arch.equals(NativeJar.hostArch());
    }

    /**
     * Whether the bytes (binary or WAT) are a valid module for this engine ({@code wasm_module_validate}), after
     * what {@link #compile(Engine, byte[])} checks itself first (the engine's memory and table caps, and what this
     * binding refuses to hand libwasmer, such as 64-bit memories): true only if compile would not refuse it.
     */
    public static boolean validate(Engine engine, byte[] wasmOrWat) {
        byte[] wasm;
        try {
            wasm = engine.prepare(Wasmer.wat2wasm(wasmOrWat));
            ModuleInfo.read(wasm);
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
     * The compiled code, sealed under {@code key}: an HMAC-SHA256 over the binding's header (the module's
     * {@link #identity()}, its interface, and the engine facts its code depends on: libwasmer version, target and
     * CPU features, backend, features, NaN mode, memory and table caps, metering and deadlines) and libwasmer's
     * artifact. Load it with {@link #deserialize(Engine, byte[], ArtifactKey, String)} and this identity.
     */
    public byte[] serialize(ArtifactKey key) {
        return key.seal(NO_CONTEXT, serialize(identity));
    }

    /**
     * {@link #serialize(ArtifactKey)} bound to {@code name} instead of the binary's hash: loading it expects that
     * name, and the loaded module's {@link #identity()} is it.
     *
     * @throws IllegalArgumentException if the name is empty or longer than 65,535 UTF-8 bytes
     */
    public byte[] serialize(ArtifactKey key, String name) {
        int length = name.getBytes(StandardCharsets.UTF_8).length;
        if (length == 0 || length > 0xFFFF) {
            throw new IllegalArgumentException("an artifact name needs 1 to 65535 UTF-8 bytes, got " + length);
        }
        return key.seal(NO_CONTEXT, serialize(name));
    }

    /**
     * The compiled code without authentication: the binding's header then libwasmer's artifact. Only
     * {@link #deserializeUnchecked} loads it; prefer {@link #serialize(ArtifactKey)} unless the bytes are
     * authenticated some other way.
     */
    public byte[] serialize() {
        return serialize(identity);
    }

    private byte[] serialize(String identity) {
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
        byte[] facts = engine.config().compiledCodeFacts().getBytes(StandardCharsets.UTF_8);
        byte[] id = identity.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(MAGIC.length + 8 + facts.length + id.length + iface.length + artifact.length)
                .put(MAGIC)
                .putShort((short) facts.length)
                .put(facts)
                .putShort((short) id.length)
                .put(id)
                .putInt(iface.length)
                .put(iface)
                .put(artifact)
                .array();
    }

    /**
     * Loads what {@link #serialize(ArtifactKey)} produced, after checking its MAC under {@code key}, that it is the
     * module the caller expects, and that it was compiled by an engine configured as this one: bytes that do not
     * pass never reach libwasmer.
     *
     * @param identity the module expected: {@link #identityOf} its bytes, or the name it was serialized under
     * @throws ArtifactAuthenticationException if the bytes were changed, truncated or sealed with another key
     * @throws ArtifactMismatchException if they hold another module, or were compiled with other engine facts (such
     *         as another target, libwasmer version, metering or memory cap); it names each difference
     */
    public static Module deserialize(Engine engine, byte[] sealed, ArtifactKey key, String identity) {
        return deserializeAt(engine, sealed, key.verify(sealed, NO_CONTEXT), Objects.requireNonNull(identity));
    }

    /**
     * Loads what {@link #serialize()} produced, <b>without authenticating it</b>: libwasmer turns the bytes into
     * native code and runs it in this process, trusting every byte (a changed byte can crash the JVM or run other
     * code). Only for bytes authenticated some other way; otherwise use
     * {@link #deserialize(Engine, byte[], ArtifactKey, String)}.
     *
     * @throws CompileException if the header is malformed
     * @throws ArtifactMismatchException if the header names other engine facts than this engine's
     */
    public static Module deserializeUnchecked(Engine engine, byte[] serialized) {
        return deserializeAt(engine, serialized, 0, null);
    }

    /**
     * {@link #deserializeUnchecked} of the serialized module starting at {@code from}, expecting the module
     * {@code identity} (null: any): a sealed one is loaded in place, its artifact (megabytes) copied once, into
     * native memory.
     */
    static Module deserializeAt(Engine engine, byte[] serialized, int from, String identity) {
        ByteBuffer in = ByteBuffer.wrap(serialized, from, serialized.length - from);
        String facts;
        String actual;
        byte[] iface;
        try {
            byte[] magic = new byte[MAGIC.length];
            in.get(magic);
            if (!Arrays.equals(magic, MAGIC)) {
                throw new CompileException("not a module serialized by this binding version (bad header)");
            }
            facts = new String(take(in, in.getShort() & 0xFFFF), StandardCharsets.UTF_8);
            actual = new String(take(in, in.getShort() & 0xFFFF), StandardCharsets.UTF_8);
            iface = take(in, in.getInt());
        } catch (BufferUnderflowException e) {
            throw new CompileException("truncated serialized module header (" + serialized.length + " bytes)", e);
        }
        // libwasmer checks none of these: it loads code made for another OS (or aborts, on Windows unwind
        // information), and the code keeps the metering, caps and features it was compiled with
        List<ArtifactMismatchException.Difference> differences =
                ArtifactMismatchException.differences(facts, engine.config().compiledCodeFacts());
        if (identity != null && !identity.equals(actual)) {
            differences.add(new ArtifactMismatchException.Difference("module", actual, identity));
        }
        if (!differences.isEmpty()) {
            throw new ArtifactMismatchException(differences);
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
                return new Module(engine, module, info, engine.retain(), engine.isMetered(), actual);
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
