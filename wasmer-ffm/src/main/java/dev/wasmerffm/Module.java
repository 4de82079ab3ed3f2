package dev.wasmerffm;

import dev.wasmerffm.raw.LibWasm;
import dev.wasmerffm.raw.LibWasmer;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * A compiled module. Thread-safe and independent of stores: compile once, instantiate in many stores on many
 * threads. Imports and exports are read from the module's binary by this binding, so modules using SIMD work too
 * (their v128 functions just cannot be called from Java).
 */
public final class Module implements AutoCloseable {

    private static final byte[] MAGIC = {'W', 'F', 'F', 'M', 1};
    private static final byte METERED = 1;

    private final Engine engine;
    private final SharedResource resource;
    private final ModuleInfo info;
    /** The native engine holding this module's machine code. */
    private final SharedResource.State code;
    private final boolean metered;
    /** The CPU architecture of the machine code, e.g. x86_64. */
    private final String arch;

    private Module(Engine engine, MemorySegment module, ModuleInfo info, SharedResource.State code, boolean metered,
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
     * engine's memory limit ({@link Config#maxMemory(long)}).
     *
     * @throws CompileException if the module is malformed or invalid, with libwasmer's message
     */
    public static Module compile(Engine engine, byte[] wasmOrWat) {
        byte[] wasm = engine.prepare(Wasmer.wat2wasm(wasmOrWat));
        ModuleInfo info = ModuleInfo.read(wasm);
        Engine.Compiled c = engine.compile(e -> {
            try (Arena arena = Arena.ofConfined()) {
                return LibWasmer.wasmer_module_new(e, Bytes.borrowed(arena, wasm));
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

    private static Module checked(Engine engine, MemorySegment module, ModuleInfo info, SharedResource.State code,
            boolean metered) {
        if (module.equals(MemorySegment.NULL)) {
            throw new CompileException("cannot compile module: " + LastError.take("invalid module"));
        }
        return new Module(engine, module, info, code, metered, archOf(engine.target()));
    }

    /** The architecture this JVM runs on, in target-triple spelling. */
    static String hostArch() {
        String a = System.getProperty("os.arch");
        return switch (a) {
            case "amd64", "x86_64" -> "x86_64";
            case "arm64", "aarch64" -> "aarch64";
            default -> a;
        };
    }

    /** The architecture a target compiles for. */
    private static String archOf(Target target) {
        if (target == null || target.isHost()) {
            return hostArch();
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
        return arch.equals(hostArch());
    }

    /** Whether the bytes (binary or WAT) are a valid module for this engine ({@code wasm_module_validate}). */
    public static boolean validate(Engine engine, byte[] wasmOrWat) {
        byte[] wasm;
        try {
            wasm = Wasmer.wat2wasm(wasmOrWat);
        } catch (CompileException e) {
            return false;
        }
        try (Store store = new Store(engine); Arena arena = Arena.ofConfined()) {
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
        return metered ? "its own metered native engine" : code == engine.nativeState() ? "the native engine of "
                + engine : "another native engine";
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
     * Serializes the compiled code, prefixed with the module's interface so {@link #deserialize} can describe it
     * without asking libwasmer. The artifact is native code: only load what you can authenticate.
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
        byte[] archBytes = arch.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        return ByteBuffer.allocate(MAGIC.length + 6 + archBytes.length + iface.length + artifact.length).put(MAGIC)
                .put(metered ? METERED : 0).put((byte) archBytes.length).put(archBytes).putInt(iface.length)
                .put(iface).put(artifact).array();
    }

    /**
     * Loads what {@link #serialize()} produced. The bytes become native code: never pass bytes you cannot
     * authenticate (the starter's module cache checks a MAC first).
     *
     * @throws CompileException if the bytes are not such an artifact, or were made for another engine or target
     */
    public static Module deserialize(Engine engine, byte[] serialized) {
        ByteBuffer in = ByteBuffer.wrap(serialized);
        if (serialized.length < MAGIC.length + 6
                || !Arrays.equals(serialized, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
            throw new CompileException("not a module serialized by this binding (bad header)");
        }
        in.position(MAGIC.length);
        boolean metered = (in.get() & METERED) != 0;
        byte[] archBytes = new byte[in.get() & 0xFF];
        if (archBytes.length > in.remaining()) {
            throw new CompileException("truncated serialized module");
        }
        in.get(archBytes);
        String arch = new String(archBytes, java.nio.charset.StandardCharsets.US_ASCII);
        String engineArch = archOf(engine.target());
        if (!arch.equals(engineArch)) {
            // libwasmer may load foreign machine code without complaint; running it would crash the process
            throw new CompileException("module was compiled for " + arch + ", this engine runs " + engineArch);
        }
        if (in.remaining() < 4) {
            throw new CompileException("truncated serialized module");
        }
        int ifaceLength = in.getInt();
        if (ifaceLength < 0 || ifaceLength > in.remaining()) {
            throw new CompileException("truncated serialized module");
        }
        byte[] iface = new byte[ifaceLength];
        in.get(iface);
        byte[] artifact = new byte[in.remaining()];
        in.get(artifact);
        ModuleInfo info = ModuleInfo.read(iface);
        try (Store store = new Store(engine); Arena arena = Arena.ofConfined()) {
            MemorySegment s = store.enter();
            try {
                MemorySegment module = LibWasm.wasm_module_deserialize(s, Bytes.borrowed(arena, artifact));
                if (module.equals(MemorySegment.NULL)) {
                    throw new CompileException("cannot deserialize module: " + LastError.take("invalid artifact"));
                }
                return new Module(engine, module, info, engine.retain(), metered, arch);
            } finally {
                store.exit();
            }
        }
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
