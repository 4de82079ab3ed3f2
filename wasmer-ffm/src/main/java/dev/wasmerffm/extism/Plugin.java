package dev.wasmerffm.extism;

import dev.wasmerffm.Config;
import dev.wasmerffm.Engine;
import dev.wasmerffm.FuncType;
import dev.wasmerffm.Module;
import dev.wasmerffm.NoSuchExportException;
import dev.wasmerffm.ValType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * An Extism plugin: a wasm module written with an Extism PDK (Rust, Go, JS, Python, ...), run with Extism's kernel
 * and, when it imports it, WASI, in one store. {@link #call(String, byte[])} passes bytes in and takes bytes out,
 * crossing into wasm twice per call (see {@link Kernel}).
 *
 * <pre>{@code
 * try (Plugin plugin = Plugin.builder().wasm(Path.of("count_vowels.wasm")).config("vowels", "aeiou").build()) {
 *   String json = plugin.call("count_vowels", "Hello, World!");
 * }
 * }</pre>
 *
 * <p>Calls on one plugin take turns (a lock), and a plugin cannot be called from its own host function
 * ({@link IllegalStateException}). A trap (also running out of points or past the deadline) ends the call with its
 * {@link dev.wasmerffm.TrapException}, and the plugin's store is replaced before its next call, since the guest's
 * state may be half-written; variables survive. For parallel calls, make one plugin per thread from a
 * {@link CompiledPlugin}.
 */
public final class Plugin implements AutoCloseable {

    final CompiledPlugin compiled;
    private final boolean ownsCompiled;
    final Vars vars;
    final System.Logger logger;
    /** The last response of {@code http_request}, for {@code http_status_code} and {@code http_headers}. */
    Http.Response lastResponse;

    private final ReentrantLock lock = new ReentrantLock();
    /**
     * The thread running one of the plugin's host functions, if any: a call made on a virtual thread runs on a
     * platform thread, where the lock is not held, so the lock alone would not see a call from a host function.
     */
    private volatile Thread hostThread;

    /** Volatile for {@link #stopCalls()}, which reads it without the lock a running call holds. */
    private volatile PluginStore store;
    /** For {@link #pointsUsed()}: whether a call was made, and what the last one used when its store was dropped. */
    private boolean called;

    private long droppedPoints = -1;

    private volatile boolean closed;

    Plugin(CompiledPlugin compiled, boolean ownsCompiled) {
        this.compiled = compiled;
        this.ownsCompiled = ownsCompiled;
        this.vars = new Vars(compiled.maxVarBytes);
        this.logger = System.getLogger(compiled.name);
        this.store = new PluginStore(compiled, this); // a missing or mistyped import fails here, not at a call
    }

    /** A builder of a plugin. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Calls {@code function} with {@code input} and returns its output.
     *
     * @throws PluginException if the function set an error or returned a non-zero code (with its message)
     * @throws NoSuchExportException if the plugin has no callable function of that name
     * @throws dev.wasmerffm.TrapException if the plugin trapped, also when a host function threw (its cause);
     *         {@link dev.wasmerffm.MeteringExhaustedException} past the points, and
     *         {@link dev.wasmerffm.DeadlineExceededException} past the deadline
     * @throws IllegalStateException if the plugin is closed, or called from its own host function
     */
    public byte[] call(String function, byte[] input) {
        Objects.requireNonNull(input, "input");
        if (lock.isHeldByCurrentThread() || hostThread == Thread.currentThread()) {
            throw new IllegalStateException(
                    "plugin " + compiled.name + " cannot be called from its own host function (" + function + ")");
        }
        lock.lock();
        try {
            if (closed) {
                throw new IllegalStateException("plugin " + compiled.name + " is closed");
            }
            int entry = compiled.entry(function);
            if (entry < 0) {
                throw new NoSuchExportException("plugin " + compiled.name + " has no function " + function
                        + " to call; it has " + compiled.entries);
            }
            if (store == null) {
                store = new PluginStore(compiled, this);
            }
            called = true;
            try {
                return store.call(function, entry, input);
            } catch (PluginException e) {
                throw e;
            } catch (RuntimeException | Error e) {
                dropStore(); // the guest may have stopped half-way: the next call gets a fresh store
                throw e;
            }
        } finally {
            if (closed) {
                dropStore();
            }
            lock.unlock();
        }
    }

    /**
     * The metering points the last call used, summed over the guest, the kernel and the two small modules between them
     * (each gets {@link Builder#points} per call; all of them when the call ran out); -1 when the plugin has no points
     * or has made no call. Read on the thread that called, after the call: it is read from the instances, not counted
     * at every call.
     */
    public long pointsUsed() {
        PluginStore s = store;
        return !called ? -1 : s != null ? s.pointsUsed() : droppedPoints;
    }

    /** Runs one of the plugin's host functions, marking the thread that runs it. */
    void inHostFunction(java.util.concurrent.Callable<?> body) throws Exception {
        Thread outer = hostThread;
        hostThread = Thread.currentThread();
        try {
            body.call();
        } finally {
            hostThread = outer;
        }
    }

    /** {@link #call(String, byte[])} with UTF-8 text in and out. */
    public String call(String function, String input) {
        return new String(call(function, input.getBytes(StandardCharsets.UTF_8)), StandardCharsets.UTF_8);
    }

    /**
     * Whether {@code module} is an Extism plugin: it imports from {@code extism:host/env}, as every PDK's output
     * does.
     */
    public static boolean isPlugin(dev.wasmerffm.Module module) {
        return module.imports().stream().anyMatch(i -> i.module().equals(Kernel.ENV));
    }

    /** Whether the plugin has a callable function of this name. */
    public boolean functionExists(String function) {
        return compiled.entry(function) >= 0;
    }

    /** The plugin's name, under which it logs. */
    public String name() {
        return compiled.name;
    }

    /** The response body of an allowed HTTP request; the response is kept for the status and headers. */
    byte[] http(Map<?, ?> request, byte[] body, long deadline) throws InterruptedException {
        lastResponse = null;
        lastResponse = Http.send(
                request,
                body,
                compiled.allowedHosts,
                compiled.maxHttpResponseBytes,
                Http.timeout(compiled.httpTimeout, deadline));
        return lastResponse.body();
    }

    private void dropStore() {
        if (store != null) {
            droppedPoints = store.pointsUsed(); // what the last call used, read while its instances are there
            store.close();
            store = null;
        }
    }

    /**
     * For shutdown: the running call, if it has a deadline, ends now as if it passed ({@link dev.wasmerffm.Store#stopCalls()}),
     * and no call starts on this store; the plugin stays open.
     */
    public void stopCalls() {
        PluginStore s = store;
        if (s != null) {
            s.stopCalls();
        }
    }

    /**
     * Frees the plugin's store (and the compiled plugin, if {@link Builder#build()} made it). Never waits: during a
     * call (from a host function, or another thread) the store is freed when the call returns, and later calls throw
     * {@link IllegalStateException}.
     */
    @Override
    public void close() {
        closed = true;
        if (!lock.isHeldByCurrentThread() && lock.tryLock()) {
            try {
                dropStore();
            } finally {
                lock.unlock();
            }
        }
        if (ownsCompiled) {
            compiled.close();
        }
    }

    @Override
    public String toString() {
        return "Plugin[" + compiled.name + (closed ? ", closed]" : "]");
    }

    /**
     * Compiled modules for one engine, which the source owns: a plugin never closes what {@link #get} gave, it closes
     * the source when it is closed itself ({@link Builder#modules}).
     */
    public interface ModuleSource extends AutoCloseable {

        /**
         * The module of {@code wasm} for the source's engine.
         *
         * @throws dev.wasmerffm.CompileException if it does not compile
         */
        Module get(byte[] wasm);

        /** Frees the modules it gave. */
        @Override
        void close();
    }

    /**
     * What a plugin is made of and what it may do. Defaults, as Extism's: no config, no directories, no HTTP host
     * allowed, no memory limit, 1 MiB of variables, 50 MiB per HTTP response, no points limit, no deadline, log
     * level INFO; and a 30 s limit per HTTP request.
     */
    public static final class Builder {
        byte[] wasm;
        String name = "extism-plugin";
        final Map<String, String> config = new LinkedHashMap<>();
        final Map<String, Path> allowedPaths = new LinkedHashMap<>();
        final List<String> allowedHosts = new ArrayList<>();
        final List<CompiledPlugin.Function> functions = new ArrayList<>();
        long maxMemoryPages = -1;
        long maxVarBytes = 1 << 20;
        long maxHttpResponseBytes = 50L << 20;
        Duration httpTimeout = Duration.ofSeconds(30);
        long points;
        Duration timeout = Duration.ZERO;
        Level logLevel = Level.INFO;
        Config engineConfig = new Config();
        UnaryOperator<Runnable> handOff = UnaryOperator.identity();
        Function<Engine, ModuleSource> modules;

        private Builder() {}

        /** The plugin's module, a binary (or WAT). */
        public Builder wasm(byte[] wasm) {
            this.wasm = wasm.clone();
            return this;
        }

        /** The plugin's module from a file; the plugin is named after the file unless {@link #name} says otherwise. */
        public Builder wasm(Path file) {
            try {
                this.wasm = Files.readAllBytes(file);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the plugin " + file, e);
            }
            String f = file.getFileName().toString();
            if (name.equals("extism-plugin")) {
                name = f.endsWith(".wasm") ? f.substring(0, f.length() - 5) : f;
            }
            return this;
        }

        /**
         * Applies an Extism manifest (JSON): {@code wasm} (one entry, {@code path} or base64 {@code data}, with an
         * optional SHA-256 {@code hash}), {@code config}, {@code allowed_hosts}, {@code allowed_paths},
         * {@code memory} ({@code max_pages}, {@code max_var_bytes}, {@code max_http_response_bytes}) and
         * {@code timeout_ms}. Relative paths resolve against {@code baseDir}.
         *
         * @throws PluginException naming what in the manifest is malformed or unsupported
         */
        public Builder manifest(String json, Path baseDir) {
            Manifests.apply(json, baseDir, this);
            return this;
        }

        /** {@link #manifest(String, Path)} of a file, relative paths resolving against its directory. */
        public Builder manifest(Path file) {
            try {
                Path dir = file.toAbsolutePath().getParent();
                return manifest(Files.readString(file), dir);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the manifest " + file, e);
            }
        }

        /** The plugin's name: its logger's, and the WASI program name. */
        public Builder name(String name) {
            this.name = Objects.requireNonNull(name, "name");
            return this;
        }

        /** A configuration value the plugin reads with {@code config_get}. */
        public Builder config(String key, String value) {
            config.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /** Configuration values the plugin reads with {@code config_get}. */
        public Builder config(Map<String, String> values) {
            values.forEach(this::config);
            return this;
        }

        /** A host directory the plugin sees as {@code guestPath} through WASI (read and write). */
        public Builder allowedPath(Path hostDir, String guestPath) {
            if (!Files.isDirectory(hostDir)) {
                throw new IllegalArgumentException("allowed path " + hostDir + " is not a directory");
            }
            allowedPaths.put(Objects.requireNonNull(guestPath, "guestPath"), hostDir);
            return this;
        }

        /**
         * A host the plugin may send HTTP requests to, as a glob ({@code *} any run of characters, {@code ?} one):
         * {@code api.example.com}, {@code *.example.com}, {@code *}. None by default: every request is refused.
         */
        public Builder allowedHost(String glob) {
            allowedHosts.add(Objects.requireNonNull(glob, "glob"));
            return this;
        }

        /**
         * The most 64 KiB pages of each memory (the guest's and the kernel's; Extism counts them together): declared
         * maxima above it are lowered before compiling, so growth past it fails in the guest.
         */
        public Builder maxMemoryPages(long pages) {
            if (pages < 0) {
                throw new IllegalArgumentException("maxMemoryPages must be >= 0, got " + pages);
            }
            this.maxMemoryPages = pages;
            return this;
        }

        /** The most bytes of variables, keys and values together (0 disables variables); default 1 MiB. */
        public Builder maxVarBytes(long bytes) {
            if (bytes < 0) {
                throw new IllegalArgumentException("maxVarBytes must be >= 0, got " + bytes);
            }
            this.maxVarBytes = bytes;
            return this;
        }

        /** The largest HTTP response body a plugin may receive; default 50 MiB. */
        public Builder maxHttpResponseBytes(long bytes) {
            if (bytes < 0) {
                throw new IllegalArgumentException("maxHttpResponseBytes must be >= 0, got " + bytes);
            }
            this.maxHttpResponseBytes = bytes;
            return this;
        }

        /** The longest an HTTP request may take (never longer than the call's deadline); default 30 s. */
        public Builder httpTimeout(Duration timeout) {
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("httpTimeout must be positive, got " + timeout);
            }
            this.httpTimeout = timeout;
            return this;
        }

        /**
         * Metering points for each call, for the guest and the kernel each; past them the call ends with
         * {@link dev.wasmerffm.MeteringExhaustedException}. 0 (default) for no limit.
         */
        public Builder points(long points) {
            if (points < 0) {
                throw new IllegalArgumentException("points must be >= 0, got " + points);
            }
            this.points = points;
            return this;
        }

        /**
         * The deadline of each call ({@code timeout_ms}); past it the call ends with
         * {@link dev.wasmerffm.DeadlineExceededException}. {@link Duration#ZERO} (default) for none.
         */
        public Builder timeout(Duration timeout) {
            if (timeout.isNegative()) {
                throw new IllegalArgumentException("timeout must be >= 0, got " + timeout);
            }
            this.timeout = timeout;
            return this;
        }

        /** The lowest level of the plugin's log messages passed to its {@link System.Logger}; default INFO. */
        public Builder logLevel(Level level) {
            this.logLevel = Objects.requireNonNull(level, "level");
            return this;
        }

        /**
         * What a virtual thread's call is wrapped in to run on the platform thread that runs it
         * ({@link dev.wasmerffm.Store#handOff}), e.g. the caller's observation scope, so host functions see it.
         * Default: the call as it is.
         */
        public Builder handOff(UnaryOperator<Runnable> handOff) {
            this.handOff = Objects.requireNonNull(handOff, "handOff");
            return this;
        }

        /**
         * Where the kernel and the guest come from for the engine the plugin runs on, instead of compiling them:
         * {@code sources} gets that engine and gives a source, closed with the compiled plugin. E.g. a
         * {@code ModuleCache} of that engine with a disk level ({@code ModuleCache.forEngine}), so that a plugin
         * compiled again after a restart loads them, as {@code WasmInstancePool} does.
         */
        public Builder modules(Function<Engine, ModuleSource> sources) {
            this.modules = Objects.requireNonNull(sources, "sources");
            return this;
        }

        /** The engine's configuration (backend, features, ...) under the plugin's own limits. */
        public Builder engineConfig(Config config) {
            this.engineConfig = config.copy();
            return this;
        }

        /** A host function the plugin imports as {@code module.name}, of {@code type}. */
        public Builder hostFunction(String module, String name, FuncType type, PluginFunction fn) {
            functions.add(new CompiledPlugin.Function(
                    Objects.requireNonNull(module, "module"),
                    Objects.requireNonNull(name, "name"),
                    Objects.requireNonNull(type, "type"),
                    Objects.requireNonNull(fn, "fn")));
            return this;
        }

        /**
         * A host function in {@code extism:host/user} taking and returning bytes, as the PDKs declare them
         * ({@code (i64 offset) -> i64 offset}): {@code fn} gets the bytes the plugin passed and returns the bytes it
         * gets back.
         */
        public Builder hostFunction(String name, UnaryOperator<byte[]> fn) {
            Objects.requireNonNull(fn, "fn");
            return hostFunction(
                    Kernel.USER, name, FuncType.of(List.of(ValType.I64), List.of(ValType.I64)), c -> c.host()
                            .result(0, c.write(fn.apply(c.read(c.host().i64(0))))));
        }

        /**
         * Compiles the plugin, to make plugins from.
         *
         * @throws dev.wasmerffm.CompileException if the module does not compile
         */
        public CompiledPlugin compile() {
            if (wasm == null) {
                throw new IllegalStateException("no wasm given: call wasm(...) or manifest(...)");
            }
            return new CompiledPlugin(this, wasm);
        }

        /**
         * Compiles the plugin and makes one; closing it frees the compiled code too.
         *
         * @throws dev.wasmerffm.LinkException if the plugin imports something neither the kernel, the host, WASI nor
         *         a {@link #hostFunction} gives, or gives with another type
         */
        public Plugin build() {
            CompiledPlugin c = compile();
            try {
                return new Plugin(c, true);
            } catch (RuntimeException e) {
                c.close();
                throw e;
            }
        }
    }
}
