package dev.wasmerffm.pool;

import dev.wasmerffm.Module;
import dev.wasmerffm.Wasmer;
import dev.wasmerffm.WasmerException;
import dev.wasmerffm.cache.ModuleCache;
import dev.wasmerffm.extism.Plugin;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Compiled modules by name, for {@link WasmInstancePool}: the module files given to the {@link #builder builder},
 * compiled (or loaded from the {@link ModuleCache}) when it builds, each registered under its file name without
 * extension. Modules can be registered, replaced and removed while the application runs ({@link #register},
 * {@link #remove}); calls already running finish on the version they started with.
 *
 * <pre>{@code
 * WasmModules modules = WasmModules.builder(cache).module(Path.of("plugins/add.wasm")).build();
 * modules.register("twice", wat.getBytes(UTF_8));
 * }</pre>
 */
public final class WasmModules implements AutoCloseable {

    /**
     * One registered module.
     *
     * @param name its name (file name without extension)
     * @param location where it was loaded from, or {@code "registered at runtime"}
     * @param module the compiled module, shared: do not close it
     * @param cacheKey its key in the module cache
     * @param cache the cache it was loaded with
     * @param pluginWasm the binary of an Extism plugin ({@link Plugin#isPlugin}), which the pool compiles with
     *     Extism's kernel; null for other modules
     */
    public record Entry(
            String name,
            String location,
            Module module,
            String cacheKey,
            ModuleCache cache,
            byte @Nullable [] pluginWasm) {}

    private final ModuleCache cache;
    private final Function<String, ModuleCache> cacheOf;
    private final WasmerObserver observer;
    private final Map<String, Entry> modules = new ConcurrentSkipListMap<>();
    /** The caches modules were loaded with: those of their own are closed with this. */
    private final Set<ModuleCache> caches = ConcurrentHashMap.newKeySet();
    /** What must hold before a module is registered at runtime (e.g. its imports provided), and who hears of it. */
    private final List<Consumer<Entry>> checks = new CopyOnWriteArrayList<>();

    private final List<Consumer<String>> listeners = new CopyOnWriteArrayList<>();
    /** Who holds each module ({@link #hold}): such a module cannot be removed. Guarded by {@code this}. */
    private final Map<String, List<String>> holders = new TreeMap<>();

    private final List<String> locations;

    /** A registry whose modules are compiled by {@code cache} (or loaded from it). */
    public static Builder builder(ModuleCache cache) {
        return new Builder(cache);
    }

    /** The modules to load first, and how; {@link #build()} loads them. */
    public static final class Builder {

        /** A module file to load: its name, where it is (for messages), and its bytes. */
        private record File(String name, String file, String location, byte[] bytes) {}

        private final ModuleCache cache;
        private Function<String, ModuleCache> cacheOf;
        private WasmerObserver observer = WasmerObserver.NONE;
        private List<String> locations = List.of();
        private final List<File> files = new ArrayList<>();

        private Builder(ModuleCache cache) {
            this.cache = cache;
            this.cacheOf = name -> cache;
        }

        /**
         * The cache each module is loaded with, by module name: the shared one or one of the module's own, over an
         * engine of its own (e.g. its own memory limit), which the registry closes, engine and all, in
         * {@link WasmModules#close()}. Default: the shared one for all.
         */
        public Builder cacheOf(Function<String, ModuleCache> cacheOf) {
            this.cacheOf = cacheOf;
            return this;
        }

        /** Who hears of each module loaded. Default: {@link WasmerObserver#NONE}. */
        public Builder observer(WasmerObserver observer) {
            this.observer = observer;
            return this;
        }

        /**
         * Where the module files were looked for (patterns, directories), named when a module asked for is not
         * registered ({@link UnknownModuleException#locations()}). Default: none.
         */
        public Builder locations(List<String> locations) {
            this.locations = List.copyOf(locations);
            return this;
        }

        /**
         * A module file to load: registered under {@code file} without its {@code .wasm} or {@code .wat}
         * extension; {@code location} (e.g. its URL) names it in messages. Two files of one name fail the build.
         */
        public Builder module(String file, String location, byte[] wasmOrWat) {
            files.add(new File(file.replaceFirst("\\.(wasm|wat)$", ""), file, location, wasmOrWat));
            return this;
        }

        /** The module file at {@code path}, read now: {@link #module(String, String, byte[])} with its name and URI. */
        public Builder module(Path path) {
            byte[] bytes;
            try {
                bytes = Files.readAllBytes(path);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + path, e);
            }
            return module(String.valueOf(path.getFileName()), path.toUri().toString(), bytes);
        }

        /** Loads every module given; one that fails to compile fails here, naming its file. */
        public WasmModules build() {
            return new WasmModules(this);
        }
    }

    private WasmModules(Builder b) {
        this.cache = b.cache;
        this.cacheOf = b.cacheOf;
        this.observer = b.observer;
        this.locations = b.locations;
        Map<String, Entry> found = new TreeMap<>();
        for (Builder.File f : b.files) {
            try {
                Entry previous = found.put(f.name(), load(f.name(), f.location(), f.bytes()));
                if (previous != null) {
                    throw new WasmModuleLoadException(
                            f.name(),
                            f.location(),
                            "another module has that name: " + previous.location(),
                            "Rename one of the files (a module is registered under its"
                                    + " file name without extension), or narrow wasmer.modules.locations.",
                            null);
                }
            } catch (WasmModuleLoadException e) {
                throw e;
            } catch (WasmerException e) {
                throw loadFailure(f.name(), f.file(), f.location(), e);
            }
        }
        this.modules.putAll(found);
    }

    private Entry load(String name, String location, byte[] bytes) {
        long t0 = System.nanoTime();
        ModuleCache own = cacheOf.apply(name);
        caches.add(own);
        Module m = own.get(bytes);
        observer.moduleLoaded(name, System.nanoTime() - t0);
        byte[] wasm = Wasmer.wat2wasm(bytes);
        return new Entry(name, location, m, own.key(wasm), own, Plugin.isPlugin(m) ? wasm : null);
    }

    /**
     * Registers {@code wasmOrWat} as module {@code name}, replacing the module of that name if there is one: calls
     * from now on use it, calls running finish on the old one. A module that does not compile, or that a check refuses
     * ({@link #checkOnRegister}: the starter's refuse one whose imports no bean provides or whose exports do not fit
     * a {@code @WasmModule} interface bound to its name), fails here and changes nothing.
     */
    public synchronized Entry register(String name, byte[] wasmOrWat) {
        if (!name.matches("[A-Za-z0-9_-]+")) {
            throw new IllegalArgumentException("a module name is letters, digits, '_' and '-', got '" + name + "'");
        }
        Entry entry;
        try {
            entry = load(name, "registered at runtime", wasmOrWat);
        } catch (WasmerException e) {
            throw loadFailure(name, name + ".wasm", "registered at runtime", e);
        }
        checks.forEach(c -> c.accept(entry));
        modules.put(name, entry);
        listeners.forEach(l -> l.accept(name));
        return entry;
    }

    /**
     * Removes module {@code name}; calls running finish. Whether it was registered. {@link ModuleInUseException} if
     * something {@link #hold holds} it (e.g. a {@code @WasmModule} interface bound to it): release that first.
     */
    public synchronized boolean remove(String name) {
        List<String> held = holders.get(name);
        if (held != null) {
            throw new ModuleInUseException(name, held);
        }
        boolean removed = modules.remove(name) != null;
        if (removed) {
            listeners.forEach(l -> l.accept(name));
        }
        return removed;
    }

    /**
     * Marks module {@code name} as used by {@code holder} (a name saying what it is): {@link #remove} refuses the
     * module until the returned hold is released. Replacing it ({@link #register}) stays allowed.
     */
    public synchronized Hold hold(String name, String holder) {
        holders.computeIfAbsent(name, n -> new ArrayList<>()).add(holder);
        return () -> release(name, holder);
    }

    private synchronized void release(String name, String holder) {
        List<String> held = holders.get(name);
        if (held != null && held.remove(holder) && held.isEmpty()) {
            holders.remove(name);
        }
    }

    /** A {@link #hold} on a module; releasing it twice is harmless. */
    @FunctionalInterface
    public interface Hold extends AutoCloseable {
        /** Lets the module be removed, unless others still hold it. */
        @Override
        void close();
    }

    /** Runs {@code check} on every module registered at runtime, before it is; what it throws refuses the module. */
    public void checkOnRegister(Consumer<Entry> check) {
        checks.add(check);
    }

    /** Tells {@code listener} the name of every module registered, replaced or removed at runtime. */
    public void onChange(Consumer<String> listener) {
        listeners.add(listener);
    }

    /** What went wrong, and the fix for it. */
    private static WasmModuleLoadException loadFailure(String name, String file, String location, WasmerException e) {
        String problem = e.getMessage();
        String fix;
        if (problem.startsWith("invalid WAT") && file.endsWith(".wasm")) { // bytes without \0asm are read as text
            fix = "The file is not a WebAssembly binary (it does not start with \\0asm): rebuild it, or remove it"
                    + " from wasmer.modules.locations.";
        } else if (problem.startsWith("invalid WAT")) {
            fix = "Correct the WebAssembly text at the line and column above.";
        } else if (problem.contains("above the limit")) {
            fix = "Raise wasmer.limits.max-memory (or wasmer.limits.max-table-elements) to what the module needs.";
        } else {
            fix = "The module is not valid for this engine: validate it (e.g. wasm-validate), or turn on the "
                    + "WebAssembly features it uses with wasmer.features.<name>=true.";
        }
        return new WasmModuleLoadException(name, location, problem, fix, e);
    }

    /** The module named {@code name}; {@link UnknownModuleException} naming what exists otherwise. */
    public Entry get(String name) {
        Entry e = modules.get(name);
        if (e == null) {
            throw new UnknownModuleException(name, modules.keySet(), locations);
        }
        return e;
    }

    /** Whether a module of that name is registered. */
    public boolean contains(String name) {
        return modules.containsKey(name);
    }

    /** Every registered module, by name. */
    public Collection<Entry> all() {
        return List.copyOf(modules.values());
    }

    /** Where a module's compiled code is: memory, disk or absent. */
    public String cacheState(Entry e) {
        return e.cache().state(e.cacheKey());
    }

    /** Closes the modules' own caches and their engines; the shared cache is its owner's to close. */
    @Override
    public void close() {
        caches.stream().filter(c -> c != cache).forEach(c -> {
            c.close();
            c.engine().close();
        });
    }

    /** The cache the modules came from. */
    public ModuleCache cache() {
        return cache;
    }
}
