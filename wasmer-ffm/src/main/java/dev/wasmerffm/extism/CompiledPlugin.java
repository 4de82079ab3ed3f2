package dev.wasmerffm.extism;

import dev.wasmerffm.Config;
import dev.wasmerffm.Engine;
import dev.wasmerffm.ExportType;
import dev.wasmerffm.FuncType;
import dev.wasmerffm.ImportType;
import dev.wasmerffm.Memory;
import dev.wasmerffm.Metering;
import dev.wasmerffm.Module;
import dev.wasmerffm.wasi.WasiConfig;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * A plugin compiled once, with its settings: the kernel, the guest, the driver and the kernel's accessors (see
 * {@link Kernel}), on an engine
 * of its own configured from the settings (memory limit, metering for points and deadlines). Thread-safe; each
 * {@link #instantiate()} makes an independent {@link Plugin} (its own store, variables and state), as many as there
 * are threads to run them. Closing it frees the compiled code once every plugin made from it is closed too.
 */
public final class CompiledPlugin implements AutoCloseable {

    /** A host function to link: module, name, type and the Java code. */
    record Function(String module, String name, FuncType type, PluginFunction fn) {}

    final String name;
    final Engine engine;
    final Module kernel;
    final Module guest;
    final Module driver;
    final Module accessors;
    /** Where the kernel and the guest came from, which owns them; null when they were compiled here. */
    private final Plugin.ModuleSource source;
    /** The guest's callable functions, in the driver's table order, and their indices. */
    final List<String> entries;

    private final Map<String, Integer> entryIndex = new HashMap<>();
    final List<Function> functions;
    final Map<String, String> config;
    final List<String> allowedHosts;
    /** The WASI configuration of each store, null when the guest imports no WASI. */
    final Supplier<WasiConfig> wasi;

    final long points;
    final Duration timeout;
    final long maxVarBytes;
    final long maxHttpResponseBytes;
    final Duration httpTimeout;
    final Level logLevel;
    final UnaryOperator<Runnable> handOff;

    CompiledPlugin(Plugin.Builder b, byte[] wasm) {
        this.name = b.name;
        this.functions = List.copyOf(b.functions);
        this.config = Map.copyOf(b.config);
        this.allowedHosts = List.copyOf(b.allowedHosts);
        this.points = b.points;
        this.timeout = b.timeout;
        this.maxVarBytes = b.maxVarBytes;
        this.maxHttpResponseBytes = b.maxHttpResponseBytes;
        this.httpTimeout = b.httpTimeout;
        this.logLevel = b.logLevel;
        this.handOff = b.handOff;
        Config c = b.engineConfig.copy();
        if (b.maxMemoryPages >= 0) {
            c.maxMemory(b.maxMemoryPages * Memory.PAGE_SIZE);
        }
        if (b.points > 0) {
            c.metering(Metering.of(b.points));
        } else if (!b.timeout.isZero()) {
            c.deadlines(true);
        }
        this.engine = new Engine(c);
        List<Module> made = new ArrayList<>(4);
        Plugin.ModuleSource from = null;
        try {
            from = b.modules == null ? null : b.modules.apply(engine);
            this.kernel =
                    from == null ? track(made, load(engine, Kernel.bytes())) : get(from, Kernel.bytes(), "kernel");
            this.accessors = track(made, Kernel.accessors(engine));
            this.guest = from == null ? track(made, load(engine, wasm)) : get(from, wasm, "guest");
            this.entries = guest.exports().stream()
                    .filter(Kernel::isEntry)
                    .map(ExportType::name)
                    .toList();
            for (int i = 0; i < entries.size(); i++) {
                entryIndex.put(entries.get(i), i);
            }
            this.driver = track(
                    made,
                    Kernel.driver(
                            engine,
                            guest.exports().stream().filter(Kernel::isEntry).toList()));
        } catch (RuntimeException e) {
            made.forEach(Module::close);
            if (from != null) {
                from.close();
            }
            engine.close();
            throw e;
        }
        this.source = from;
        boolean importsWasi = guest.imports().stream()
                .map(ImportType::module)
                .anyMatch(m -> m.startsWith("wasi_snapshot_preview1") || m.equals("wasi_unstable"));
        Map<String, Path> dirs = Map.copyOf(b.allowedPaths);
        this.wasi = !importsWasi
                ? null
                : () -> {
                    WasiConfig w = new WasiConfig(name).maxOutput(0);
                    dirs.forEach((guestPath, hostDir) -> w.mapDir(guestPath, hostDir));
                    return w;
                };
    }

    /** A module from the source, which must be of this plugin's engine: another's would fail only when linked. */
    private Module get(Plugin.ModuleSource source, byte[] wasm, String what) {
        Module m = source.get(wasm);
        if (m == null || m.engine() != engine) {
            throw new IllegalArgumentException("the module source of plugin " + name + " gave "
                    + (m == null ? "no module" : "a module of another engine") + " for its " + what);
        }
        return m;
    }

    private static Module track(List<Module> made, Module m) {
        made.add(m);
        return m;
    }

    /**
     * Compiles for {@code engine}. A metered engine compiles each module with a native engine of its own, and a
     * store runs modules of one native engine only; its artifact is loaded back into the engine's own native engine,
     * where the kernel, the guest and the driver then meet (libwasmer keeps the metering in the artifact).
     */
    static Module load(Engine engine, byte[] wasm) {
        if (!engine.isMetered()) {
            return Module.compile(engine, wasm);
        }
        try (Module own = Module.compile(engine, wasm)) {
            // our own bytes, made a line above: nothing to authenticate
            return Module.deserializeUnchecked(engine, own.serialize());
        }
    }

    /** The index of a callable function in the driver's table, -1 if the guest has none of that name. */
    int entry(String function) {
        Integer i = entryIndex.get(function);
        return i == null ? -1 : i;
    }

    /** The plugin's name (its logger's name). */
    public String name() {
        return name;
    }

    /** The names of the functions a plugin can call: exports taking nothing and returning an i32 or nothing. */
    public List<String> functions() {
        return entries;
    }

    /**
     * A new plugin with its own store, variables and state.
     *
     * @throws dev.wasmerffm.LinkException if an import of the plugin is missing or of another type
     */
    public Plugin instantiate() {
        return new Plugin(this, false);
    }

    /** Frees the compiled code; plugins made from it keep it until they are closed. */
    @Override
    public void close() {
        driver.close();
        accessors.close();
        if (source == null) {
            guest.close();
            kernel.close();
        } else {
            source.close();
        }
        engine.close();
    }

    @Override
    public String toString() {
        return "CompiledPlugin[" + name + ", " + entries + "]";
    }
}
