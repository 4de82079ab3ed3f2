package dev.wasmerffm.spring.boot.modules;

import dev.wasmerffm.Module;
import dev.wasmerffm.Wasmer;
import dev.wasmerffm.WasmerException;
import dev.wasmerffm.cache.ModuleCache;
import dev.wasmerffm.spring.boot.observer.WasmerObserver;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Function;
import org.springframework.core.io.Resource;
import org.springframework.core.io.support.ResourcePatternResolver;

/**
 * The modules found at the configured locations, compiled (or loaded from the {@link ModuleCache}) at startup and
 * registered under their file name without extension. Modules can be registered, replaced and removed while the
 * application runs ({@link #register}, {@link #remove}); calls already running finish on the version they started
 * with.
 */
public final class WasmModules implements AutoCloseable {

    /**
     * One registered module.
     *
     * @param name its name (file name without extension)
     * @param location where it was loaded from
     * @param module the compiled module, shared: do not close it
     * @param cacheKey its key in the module cache
     * @param cache the cache it was loaded with
     */
    public record Entry(String name, String location, Module module, String cacheKey, ModuleCache cache) {}

    private final ModuleCache cache;
    private final Function<String, ModuleCache> cacheOf;
    private final WasmerObserver observer;
    private final Map<String, Entry> modules = new ConcurrentSkipListMap<>();
    /** The caches modules were loaded with: those of their own are closed with this. */
    private final Set<ModuleCache> caches = ConcurrentHashMap.newKeySet();
    /** What must hold before a module is registered at runtime (e.g. its imports provided), and who hears of it. */
    private final List<Consumer<Entry>> checks = new CopyOnWriteArrayList<>();

    private final List<Consumer<String>> listeners = new CopyOnWriteArrayList<>();
    private final List<String> locations;
    private final List<String> emptyLocations = new ArrayList<>();

    /** Loads every module at {@code locations}; a module that fails to compile fails startup, naming its file. */
    public WasmModules(
            ModuleCache cache, ResourcePatternResolver resolver, List<String> locations, WasmerObserver observer) {
        this(cache, name -> cache, resolver, locations, observer);
    }

    /**
     * Loads every module at {@code locations}, each with the cache {@code cacheOf} gives for its name: {@code cache}
     * or one of the module's own, over an engine of its own (e.g. its own memory limit), which this closes, engine
     * and all, in {@link #close()}.
     */
    public WasmModules(
            ModuleCache cache,
            Function<String, ModuleCache> cacheOf,
            ResourcePatternResolver resolver,
            List<String> locations,
            WasmerObserver observer) {
        this.cache = cache;
        this.cacheOf = cacheOf;
        this.observer = observer;
        this.locations = List.copyOf(locations);
        Map<String, Entry> found = new TreeMap<>();
        for (String location : locations) {
            Resource[] resources = resources(resolver, location);
            if (Arrays.stream(resources).noneMatch(Resource::isReadable)) {
                emptyLocations.add(location);
            }
            for (Resource r : resources) {
                String file = r.getFilename();
                if (file == null || !r.isReadable()) {
                    continue;
                }
                String name = file.replaceFirst("\\.(wasm|wat)$", "");
                byte[] bytes = read(r);
                try {
                    Entry previous = found.put(name, load(name, location(r), bytes));
                    if (previous != null) {
                        throw new WasmModuleLoadException(
                                name,
                                location(r),
                                "another module has that name: " + previous.location(),
                                "Rename one of the files (a module is registered under its"
                                        + " file name without extension), or narrow wasmer.modules.locations.",
                                null);
                    }
                } catch (WasmModuleLoadException e) {
                    throw e;
                } catch (WasmerException e) {
                    throw loadFailure(name, file, location(r), e);
                }
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
        return new Entry(name, location, m, own.key(Wasmer.wat2wasm(bytes)), own);
    }

    /**
     * Registers {@code wasmOrWat} as module {@code name}, replacing the module of that name if there is one: calls
     * from now on use it, calls running finish on the old one. A module that does not compile, whose imports no
     * bean provides, or whose exports do not fit a {@link dev.wasmerffm.spring.boot.annotation.WasmModule} interface
     * bound to its name ({@code WasmModuleInterfaceException}) fails here and changes nothing.
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

    /** Removes module {@code name}; calls running finish. Whether it was registered. */
    public synchronized boolean remove(String name) {
        boolean removed = modules.remove(name) != null;
        if (removed) {
            listeners.forEach(l -> l.accept(name));
        }
        return removed;
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

    /** A resource as a user reads it: its URL, without Spring's "class path resource [...]" or "URL [...]". */
    private static String location(Resource r) {
        try {
            return r.getURL().toString();
        } catch (IOException e) {
            return r.getDescription();
        }
    }

    private static Resource[] resources(ResourcePatternResolver resolver, String location) {
        try {
            return resolver.getResources(location);
        } catch (FileNotFoundException e) { // a pattern whose directory does not exist: no module there
            return new Resource[0];
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list WebAssembly modules at " + location, e);
        }
    }

    private static byte[] read(Resource r) {
        try (InputStream in = r.getInputStream()) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + r.getDescription(), e);
        }
    }

    /** The module named {@code name}; {@link UnknownModuleException} naming what exists otherwise. */
    public Entry get(String name) {
        Entry e = modules.get(name);
        if (e == null) {
            throw new UnknownModuleException(name, modules.keySet(), locations);
        }
        return e;
    }

    /** The locations that matched no readable module. */
    public List<String> emptyLocations() {
        return Collections.unmodifiableList(emptyLocations);
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
