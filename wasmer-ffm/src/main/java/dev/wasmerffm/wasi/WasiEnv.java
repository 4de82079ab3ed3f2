package dev.wasmerffm.wasi;

import static java.lang.foreign.ValueLayout.ADDRESS;

import dev.wasmerffm.Extern;
import dev.wasmerffm.ExternKind;
import dev.wasmerffm.Func;
import dev.wasmerffm.FuncType;
import dev.wasmerffm.ImportType;
import dev.wasmerffm.Imports;
import dev.wasmerffm.Instance;
import dev.wasmerffm.LinkException;
import dev.wasmerffm.Memory;
import dev.wasmerffm.Module;
import dev.wasmerffm.NoSuchExportException;
import dev.wasmerffm.ResourceExhaustedException;
import dev.wasmerffm.Store;
import dev.wasmerffm.StoreLimitException;
import dev.wasmerffm.TrapException;
import dev.wasmerffm.WasmerException;
import dev.wasmerffm.internal.Layouts;
import dev.wasmerffm.internal.access.Access;
import dev.wasmerffm.internal.access.CoreAccess;
import dev.wasmerffm.internal.store.FileDescriptors;
import dev.wasmerffm.internal.store.LastError;
import dev.wasmerffm.internal.store.Lifetime;
import dev.wasmerffm.internal.store.NativeResource;
import dev.wasmerffm.internal.wasm.Bytes;
import dev.wasmerffm.raw.LibWasi;
import dev.wasmerffm.raw.LibWasm;
import dev.wasmerffm.raw.LibWasmer;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A WASI environment in a store: the imports a WASI module needs, wired to a {@link WasiConfig}, and the program's
 * captured output.
 *
 * <p>libwasmer's own capture is broken in 7.4.2 (guest writes to a captured stream fail) and has no stdin but the
 * JVM's. So this environment replaces the {@code fd_write} and {@code fd_read} imports with Java functions that
 * serve descriptors 0-2 from per-environment buffers and hand every other descriptor to libwasmer's original.
 *
 * <p>A preview 1 module of an environment from {@link #create} sees its directories as WASI runtimes show them:
 * descriptors 3, 4, ... in configuration order, named as configured ({@code mapDir("/", dir)} is its root), without
 * libwasmer's virtual root ({@link WasiDescriptors}).
 */
public final class WasiEnv implements AutoCloseable {

    private static final CoreAccess CORE = Access.core();

    private final Store store;
    private final WasiConfig config;
    /** The environment's handle; its imports' vecs are handles of the store too, freed with it. */
    private final NativeResource.Handle env;

    private final MemorySegment pointer;
    /** Descriptors 0-2 served from Java. */
    private final WasiStdio stdio;
    /** The descriptors preview 1 guests see; null for {@link #withFilesystem}, whose root is libwasmer's. */
    private final WasiDescriptors descriptors;

    /** Closed with this environment; its import views check it. */
    private final Lifetime lifetime = new Lifetime();

    private WasiEnv(Store store, WasiConfig config, MemorySegment env, boolean libwasmerRoot) {
        this.store = store;
        this.config = config;
        this.stdio = new WasiStdio(store, config);
        this.descriptors = libwasmerRoot ? null : new WasiDescriptors(config, stdio);
        this.pointer = env;
        this.env = CORE.handles(store).add(NativeResource.Kind.WASI_ENV, env.address(), 0);
        NativeResource.CLEANER.register(this, this.env);
    }

    /**
     * A WASI environment in {@code store} for {@code config}.
     *
     * @throws StoreLimitException past the store's {@link Store#maxWasiEnvironments(int)}
     * @throws ResourceExhaustedException if the process has too few free file descriptors for one
     */
    public static WasiEnv create(Store store, WasiConfig config) {
        MemorySegment s = CORE.enter(store);
        try (Arena arena = Arena.ofConfined()) {
            admit(store);
            Prepared p = prepare(arena, config);
            MemorySegment env = LibWasi.wasi_env_new(s, p.config());
            return finish(store, config, s, env, p.dirError(), false);
        } finally {
            CORE.exit(store);
        }
    }

    /**
     * A WASI environment whose filesystem is the webc volumes in {@code webcVolumes}
     * ({@code wasi_filesystem_init_static_memory}, {@code wasi_env_with_filesystem}); the ordered imports for
     * {@code module} are then {@link #filesystemImports()}.
     *
     * @throws WasmerException if libwasmer cannot read the volumes or prepare the imports
     */
    public static WasiEnv withFilesystem(
            Store store, WasiConfig config, Module module, byte[] webcVolumes, String packageName) {
        MemorySegment s = CORE.enter(store);
        try (Arena arena = Arena.ofConfined()) {
            admit(store);
            Prepared p = prepare(arena, config);
            // libwasmer keeps pointing at the volume bytes: they live as long as the store, which owns the env.
            MemorySegment fs =
                    LibWasi.wasi_filesystem_init_static_memory(Bytes.borrowed(CORE.storeArena(store), webcVolumes));
            MemorySegment importVec = arena.allocate(Layouts.VEC);
            MemorySegment env = CORE.use(
                    module,
                    m -> LibWasi.wasi_env_with_filesystem(
                            p.config(), s, m, fs, importVec, arena.allocateFrom(packageName)));
            LibWasi.wasi_filesystem_delete(fs);
            WasiEnv wasi = finish(store, config, s, env, p.dirError(), true);
            wasi.filesystemImports = wasi.ordered(module, importVec);
            return wasi;
        } finally {
            CORE.exit(store);
        }
    }

    private List<Extern> filesystemImports = List.of();

    /** The imports {@link #withFilesystem} prepared, in the module's import order. */
    public List<Extern> filesystemImports() {
        checkOpen();
        return filesystemImports;
    }

    private record Prepared(MemorySegment config, String dirError) {}

    /**
     * Refuses what libwasmer would abort on or keep until the store closes: a new environment without the file
     * descriptors its runtime takes, or past the store's cap. Caller holds the store lock.
     */
    private static void admit(Store store) {
        String shortfall = FileDescriptors.shortfall(FileDescriptors.WASI_ENVIRONMENT, "a new WASI environment");
        if (shortfall != null) {
            throw new ResourceExhaustedException(shortfall);
        }
        CORE.countWasiEnvironment(store);
    }

    /** libwasmer's config; there is no wasi_config_delete, so it must reach wasi_env_new (which frees it). */
    private static Prepared prepare(Arena arena, WasiConfig config) {
        MemorySegment c = LibWasi.wasi_config_new(arena.allocateFrom(config.programName()));
        if (c.equals(MemorySegment.NULL)) {
            throw new IllegalArgumentException("invalid WASI program name '" + config.programName() + "'");
        }
        boolean dirsOk = true;
        for (String arg : config.args()) {
            LibWasi.wasi_config_arg(c, arena.allocateFrom(arg));
        }
        for (Map.Entry<String, String> e : config.env().entrySet()) {
            LibWasi.wasi_config_env(c, arena.allocateFrom(e.getKey()), arena.allocateFrom(e.getValue()));
        }
        for (Path dir : config.preopenDirs()) {
            dirsOk &= LibWasi.wasi_config_preopen_dir(c, arena.allocateFrom(dir.toString()));
        }
        for (Map.Entry<String, Path> e : config.mappedDirs().entrySet()) {
            dirsOk &= LibWasi.wasi_config_mapdir(
                    c,
                    arena.allocateFrom(e.getKey()),
                    arena.allocateFrom(e.getValue().toString()));
        }
        String dirError = dirsOk ? null : LastError.take("a directory was refused");
        if (config.inheritsStdin()) {
            LibWasi.wasi_config_inherit_stdin(c);
        }
        // Captured natively too, so nothing can reach the JVM's descriptors; our fd_write serves the guest.
        if (config.inheritsStdout()) {
            LibWasi.wasi_config_inherit_stdout(c);
        } else {
            LibWasi.wasi_config_capture_stdout(c);
        }
        if (config.inheritsStderr()) {
            LibWasi.wasi_config_inherit_stderr(c);
        } else {
            LibWasi.wasi_config_capture_stderr(c);
        }
        return new Prepared(c, dirError);
    }

    private static WasiEnv finish(
            Store store,
            WasiConfig config,
            MemorySegment s,
            MemorySegment env,
            String dirError,
            boolean libwasmerRoot) {
        if (env.equals(MemorySegment.NULL)) {
            throw new WasmerException("cannot create WASI environment: " + LastError.take("unknown reason"));
        }
        // wasi_env_delete panics (aborting the JVM) on an env never bound to an instance: bind it to the
        // store's placeholder now; instantiate() binds it again to the real instance.
        bind(env, s, CORE.pointer(CORE.wasiPlaceholder(store)));
        WasiEnv wasi = new WasiEnv(store, config, env, libwasmerRoot);
        if (dirError != null) {
            wasi.close();
            throw new IllegalArgumentException("WASI directory refused: " + dirError);
        }
        return wasi;
    }

    /** The WASI version {@code module} imports ({@code wasi_get_wasi_version}). */
    public static WasiVersion version(Module module) {
        return WasiVersion.of(CORE.use(module, LibWasi::wasi_get_wasi_version));
    }

    /**
     * The WASI imports {@code module} needs ({@code wasi_get_unordered_imports}), with stdio served by this
     * environment. Add the module's other imports to the result before instantiating.
     */
    public Imports imports(Module module) {
        if (version(module) == WasiVersion.INVALID) {
            throw new LinkException("module imports no WASI version this libwasmer knows");
        }
        Imports imports = new Imports();
        MemorySegment s = CORE.enter(store);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment env = pointer();
            MemorySegment vec = arena.allocate(Layouts.VEC);
            boolean ok = CORE.use(module, m -> LibWasi.wasi_get_unordered_imports(env, m, vec));
            if (!ok) {
                throw new LinkException("cannot resolve WASI imports: " + LastError.take("unknown reason"));
            }
            long n = Layouts.vecSize(vec);
            MemorySegment data = n == 0 ? MemorySegment.NULL : Layouts.vecData(vec, ADDRESS.byteSize());
            CORE.handles(store).add(NativeResource.Kind.NAMED_EXTERN_VEC, data.address(), n);
            boolean preview1 = preview1(module);
            for (long i = 0; i < n; i++) {
                MemorySegment named = data.getAtIndex(ADDRESS, i);
                String mod = Bytes.string(LibWasmer.wasmer_named_extern_module(named));
                String name = Bytes.string(LibWasmer.wasmer_named_extern_name(named));
                MemorySegment ext = LibWasmer.wasmer_named_extern_unwrap(named);
                ImportType declared = module.imports().stream()
                        .filter(t -> t.module().equals(mod) && t.name().equals(name))
                        .findFirst()
                        .orElse(null);
                if (declared == null
                        || !(declared.type() instanceof FuncType type)
                        || LibWasm.wasm_extern_kind(ext) != ExternKind.FUNC.ordinal()) {
                    continue; // not needed by this module, or not a function: left to the caller's imports
                }
                Func original = CORE.view(store, LibWasm.wasm_extern_as_func(ext), lifetime, mod + "." + name, type);
                imports.define(mod, name, wrapped(preview1, mod, name, type, original));
            }
            return imports;
        } finally {
            CORE.exit(store);
        }
    }

    /**
     * The WASI imports of {@code module} in its import order ({@code wasi_get_imports}), with stdio served by this
     * environment; {@link LinkException} if the module also imports something WASI does not provide.
     */
    public List<Extern> orderedImports(Module module) {
        MemorySegment s = CORE.enter(store);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment vec = arena.allocate(Layouts.VEC);
            boolean ok = CORE.use(module, m -> LibWasi.wasi_get_imports(s, pointer(), m, vec));
            if (!ok) {
                throw new LinkException("cannot resolve the imports in order: " + LastError.take("unknown reason"));
            }
            return ordered(module, vec);
        } finally {
            CORE.exit(store);
        }
    }

    /**
     * Wraps an extern vec libwasmer filled in {@code module}'s import order (freed with this environment), with
     * stdio served by this environment. Caller holds the store lock.
     */
    private List<Extern> ordered(Module module, MemorySegment vec) {
        long n = Layouts.vecSize(vec);
        MemorySegment data = n == 0 ? MemorySegment.NULL : Layouts.vecData(vec, ADDRESS.byteSize());
        CORE.handles(store).add(NativeResource.Kind.EXTERN_VEC, data.address(), n);
        boolean preview1 = preview1(module);
        List<Extern> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ImportType imp = module.imports().get(i);
            if (!(imp.type() instanceof FuncType type)) {
                throw new LinkException("WASI import " + imp.module() + "." + imp.name() + " is not a function");
            }
            Func original = CORE.view(
                    store,
                    LibWasm.wasm_extern_as_func(data.getAtIndex(ADDRESS, i)),
                    lifetime,
                    imp.module() + "." + imp.name(),
                    type);
            out.add(wrapped(preview1, imp.module(), imp.name(), type, original));
        }
        return List.copyOf(out);
    }

    private static boolean preview1(Module module) {
        WasiVersion v = version(module);
        return v == WasiVersion.SNAPSHOT0 || v == WasiVersion.SNAPSHOT1;
    }

    /**
     * libwasmer's import with the descriptors a preview 1 guest sees (WASIX keeps libwasmer's numbering), and with
     * 0-2 served from Java.
     */
    private Func wrapped(boolean preview1, String module, String name, FuncType type, Func original) {
        boolean translate = descriptors != null && preview1;
        Func f = translate ? descriptors.wrap(store, module, name, type, original) : original;
        return stdio.wrap(module, name, type, f, f != original);
    }

    /**
     * Instantiates a WASI module with this environment's imports plus {@code extra} (its non-WASI imports), and
     * binds the environment to the instance's memory ({@code wasi_env_initialize_instance}).
     */
    public Instance instantiate(Module module, Imports extra) {
        Imports all = imports(module).addAll(extra);
        Instance instance = Instance.create(store, module, all);
        try {
            initialize(instance);
        } catch (RuntimeException e) {
            instance.close();
            throw e;
        }
        return instance;
    }

    /**
     * Binds this environment to {@code instance}'s memory ({@code wasi_env_initialize_instance}); needed after
     * instantiating with {@link #orderedImports} yourself, done by {@link #instantiate}.
     *
     * @throws LinkException if the instance exports no memory (libwasmer would abort)
     */
    public void initialize(Instance instance) {
        if (instance.exports().values().stream().noneMatch(e -> e instanceof Memory)) {
            throw new LinkException("a WASI module must export a memory; this one exports "
                    + instance.module().exports());
        }
        MemorySegment s = CORE.enter(store);
        try {
            bind(pointer(), s, CORE.pointer(instance));
        } finally {
            CORE.exit(store);
        }
    }

    /** {@code wasi_env_initialize_instance}; the instance must export a memory (checked by the callers). */
    private static void bind(MemorySegment env, MemorySegment store, MemorySegment instance) {
        if (!LibWasi.wasi_env_initialize_instance(env, store, instance)) {
            throw new WasmerException("cannot initialize WASI for the instance: " + LastError.take("unknown"));
        }
    }

    /** Instantiates a module that needs only WASI imports. */
    public Instance instantiate(Module module) {
        return instantiate(module, new Imports());
    }

    /** The instance's {@code _start} ({@code wasi_get_start_function}). */
    public Func startFunction(Instance instance) {
        MemorySegment s = CORE.enter(store);
        try {
            MemorySegment f = LibWasi.wasi_get_start_function(CORE.pointer(instance));
            if (f.equals(MemorySegment.NULL)) {
                throw new NoSuchExportException("no _start function: " + LastError.take("not a WASI command"));
            }
            return CORE.owned(store, f, "_start", FuncType.of(List.of(), List.of()));
        } finally {
            CORE.exit(store);
        }
    }

    /**
     * Runs a WASI command: instantiates it, calls {@code _start}, and returns its exit code and output. An exit
     * through {@code proc_exit} (any code, 0 included) is a result, not an exception; other traps are thrown.
     */
    public WasiExit run(Module module) {
        try (Instance instance = instantiate(module)) {
            return start(instance);
        }
    }

    /**
     * Calls the {@code _start} of {@code instance} (instantiated by this environment) and returns its exit code and
     * the output captured since the last {@link #resetStdio}. An exit through {@code proc_exit} is a result.
     */
    public WasiExit start(Instance instance) {
        try (Func start = startFunction(instance)) {
            int code = 0;
            try {
                start.call();
            } catch (TrapException e) {
                code = CORE.wasiExitCode(e);
                if (code < 0) {
                    throw e;
                }
            }
            return new WasiExit(code, stdout(), stderr(), stdio.truncated());
        }
    }

    /** Empties the captured stdout and stderr and rewinds stdin, so the next caller sees only its own. */
    public void resetStdio() {
        stdio.reset();
    }

    /** Everything captured from stdout so far. */
    public byte[] stdout() {
        return stdio.stdout();
    }

    /** Everything captured from stderr so far. */
    public byte[] stderr() {
        return stdio.stderr();
    }

    private void checkOpen() {
        if (lifetime.isClosed()) {
            throw new IllegalStateException("WasiEnv is closed");
        }
    }

    /** The env pointer; caller holds the store lock. */
    private MemorySegment pointer() {
        checkOpen();
        return pointer;
    }

    /** Whether this environment or its store is closed. */
    public boolean isClosed() {
        return lifetime.isClosed() || store.isClosed();
    }

    /**
     * Makes the environment unusable and gives back its handle (running WASI's exit hooks); its imports, files,
     * descriptors and threads are reclaimed when the store closes (libwasmer keeps its runtime in the store), which
     * is why a store makes at most {@link Store#maxWasiEnvironments(int)} environments.
     */
    @Override
    public void close() {
        if (!lifetime.isClosed()) {
            lifetime.close();
            CORE.release(store, env);
        }
    }
}
