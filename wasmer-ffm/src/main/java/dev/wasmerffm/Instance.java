package dev.wasmerffm;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.wasmerffm.raw.Layouts;
import dev.wasmerffm.raw.LibWasm;
import dev.wasmerffm.raw.LibWasmer;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** An instantiated module in a store, with its exports. */
public final class Instance implements AutoCloseable, Extern.Owner {

    private final Store store;
    private final Module module;
    private final NativeResource resource;
    private final Map<String, Extern> exports;

    private Instance(Store store, Module module, MemorySegment instance, MemorySegment exportVec) {
        this.store = store;
        this.module = module;
        long n = Layouts.vecSize(exportVec);
        MemorySegment data = n == 0 ? MemorySegment.NULL : Layouts.vecData(exportVec, ADDRESS.byteSize());
        this.resource = new NativeResource(this, "Instance", instance, store.lock, new Free(n, data.address()));
        List<ExportType> declared = module.info().exports();
        // metering appends its two globals to the exports
        if (n != declared.size() + (module.isMetered() ? 2 : 0)) {
            close();
            throw new WasmerException("libwasmer returned " + n + " exports, the module declares " + declared.size());
        }
        Map<String, Extern> map = new LinkedHashMap<>();
        for (int i = 0; i < declared.size(); i++) {
            ExportType e = declared.get(i);
            MemorySegment ext = data.getAtIndex(ADDRESS, i);
            map.put(e.name(), switch (e.type()) {
                case FuncType t -> new Func(store, LibWasm.wasm_extern_as_func(ext), this, e.name(), t);
                case MemoryType t -> new Memory(store, LibWasm.wasm_extern_as_memory(ext), this);
                case GlobalType t -> new Global(store, LibWasm.wasm_extern_as_global(ext), this, e.name(), t);
                case TableType t -> new Table(store, LibWasm.wasm_extern_as_table(ext), this, t.element());
            });
        }
        this.exports = Collections.unmodifiableMap(map);
    }

    /** Frees the export vec, then the instance. */
    private record Free(long count, long exportData) implements java.util.function.Consumer<MemorySegment> {
        @Override
        public void accept(MemorySegment instance) {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment vec = arena.allocate(Layouts.VEC);
                vec.set(JAVA_LONG, Layouts.VEC_SIZE, count);
                vec.set(ADDRESS, Layouts.VEC_DATA, MemorySegment.ofAddress(exportData));
                LibWasm.wasm_extern_vec_delete(vec);
            }
            LibWasm.wasm_instance_delete(instance);
        }
    }

    /** Instantiates with imports resolved by module and name. */
    public static Instance create(Store store, Module module, Imports imports) {
        return create(store, module, imports.resolve(module).toArray(Extern[]::new));
    }

    /**
     * Instantiates with imports in the module's declaration order. Every import is checked in Java first (count,
     * store, kind, type), so a mismatch is a {@link LinkException} naming the import and both types.
     *
     * @throws TrapException if the start function traps
     */
    public static Instance create(Store store, Module module, Extern... imports) {
        if (!module.runsHere()) {
            throw new LinkException("module was compiled for " + module.arch() + " and cannot run on this "
                    + Module.hostArch() + " machine");
        }
        List<ImportType> declared = module.imports();
        if (imports.length != declared.size()) {
            throw new LinkException("module needs " + declared.size() + " imports " + declared + ", got "
                    + imports.length);
        }
        for (int i = 0; i < imports.length; i++) {
            checkImport(store, declared.get(i), imports[i]);
        }
        MemorySegment s = store.enter();
        try (Arena arena = Arena.ofConfined()) {
            store.hasV128 |= module.usesV128();
            store.hold(module.code());
            MemorySegment elems = arena.allocate(ADDRESS, Math.max(1, imports.length));
            for (int i = 0; i < imports.length; i++) {
                elems.setAtIndex(ADDRESS, i, imports[i].asExtern());
            }
            MemorySegment vec = arena.allocate(Layouts.VEC);
            vec.set(JAVA_LONG, Layouts.VEC_SIZE, imports.length);
            vec.set(ADDRESS, Layouts.VEC_DATA, elems);
            MemorySegment trapOut = arena.allocate(ADDRESS);
            MemorySegment instance = module.use(m -> LibWasm.wasm_instance_new(s, m, vec, trapOut));
            if (instance.equals(MemorySegment.NULL)) {
                MemorySegment trap = trapOut.get(ADDRESS, 0);
                if (!trap.equals(MemorySegment.NULL)) {
                    throw Traps.toException(trap, null, false);
                }
                throw new LinkException("cannot instantiate module: " + LastError.take("unknown reason"));
            }
            MemorySegment exportVec = arena.allocate(Layouts.VEC); // its contents are copied out by the constructor
            LibWasm.wasm_instance_exports(instance, exportVec);
            return new Instance(store, module, instance, exportVec);
        } finally {
            store.exit();
        }
    }

    private static void checkImport(Store store, ImportType imp, Extern given) {
        String what = "import " + imp.module() + "." + imp.name();
        if (given == null) {
            throw new LinkException(what + " is null; expected " + imp.type());
        }
        if (given.store != store) {
            throw new LinkException(what + ": " + given + " belongs to another store");
        }
        if (given.kind() != imp.type().kind()) {
            throw new LinkException(what + " must be a " + imp.type().kind() + " (" + imp.type() + "), got a "
                    + given.kind());
        }
        ExternType actual = given.type();
        boolean ok = switch (imp.type()) {
            case FuncType t -> t.equals(actual);
            case GlobalType t -> t.equals(actual);
            case MemoryType t -> fits(((MemoryType) actual).limits(), t.limits());
            case TableType t -> t.element() == ((TableType) actual).element()
                    && fits(((TableType) actual).limits(), t.limits());
        };
        if (!ok) {
            throw new LinkException(what + " must be " + imp.type() + ", got " + actual);
        }
    }

    /** The spec's import subtyping of limits. */
    private static boolean fits(Limits given, Limits wanted) {
        return given.min() >= wanted.min() && (!wanted.hasMax() || given.hasMax() && given.max() <= wanted.max());
    }

    @Override
    public void checkOpen() {
        if (resource.isClosed()) {
            throw new IllegalStateException("Instance is closed");
        }
    }

    /** The store it lives in. */
    public Store store() {
        return store;
    }

    /** The module it was made from. */
    public Module module() {
        return module;
    }

    /** All exports by name, in declaration order. */
    public Map<String, Extern> exports() {
        checkOpen();
        return exports;
    }

    /** The export with this name, if any. */
    public Optional<Extern> export(String name) {
        return Optional.ofNullable(exports().get(name));
    }

    private <T extends Extern> T export(String name, Class<T> kind) {
        Extern e = exports().get(name);
        if (e == null) {
            throw new NoSuchExportException("no export named '" + name + "'; exports: " + exports.keySet());
        }
        if (!kind.isInstance(e)) {
            throw new NoSuchExportException("export '" + name + "' is a " + e.kind() + ", not a "
                    + kind.getSimpleName().toLowerCase(java.util.Locale.ROOT));
        }
        return kind.cast(e);
    }

    /** The exported function {@code name}. */
    public Func func(String name) {
        return export(name, Func.class);
    }

    /** The exported memory {@code name}. */
    public Memory memory(String name) {
        return export(name, Memory.class);
    }

    /** The exported global {@code name}. */
    public Global global(String name) {
        return export(name, Global.class);
    }

    /** The exported table {@code name}. */
    public Table table(String name) {
        return export(name, Table.class);
    }

    private void checkMetered() {
        if (!module.isMetered()) {
            // libwasmer panics (aborting the process) on metering calls for an unmetered instance
            throw new IllegalStateException("instance of an unmetered module has no metering points");
        }
    }

    /** Whether this instance counts metering points (its module was compiled by a metered engine). */
    public boolean isMetered() {
        return module.isMetered();
    }

    /** Points left (0 once exhausted); {@link IllegalStateException} for an unmetered instance. */
    public long remainingPoints() {
        checkMetered();
        // libwasmer answers UINT64_MAX (-1 here) for "exhausted"
        return locked(i -> Math.max(0, LibWasmer.wasmer_metering_get_remaining_points(i)));
    }

    /** Whether the points ran out; {@link IllegalStateException} for an unmetered instance. */
    public boolean pointsExhausted() {
        checkMetered();
        return locked(LibWasmer::wasmer_metering_points_are_exhausted);
    }

    /** Sets the points left (which also clears exhaustion), so the instance can run again. */
    public void remainingPoints(long points) {
        checkMetered();
        if (points < 0) {
            throw new IllegalArgumentException("points must be >= 0, got " + points);
        }
        locked(i -> {
            LibWasmer.wasmer_metering_set_remaining_points(i, points);
            return null;
        });
    }

    private <T> T locked(java.util.function.Function<MemorySegment, T> body) {
        store.enter();
        try {
            return body.apply(resource.address());
        } finally {
            store.exit();
        }
    }

    /** Caller holds the store lock. */
    MemorySegment pointer() {
        return resource.address();
    }

    /** Whether this instance or its store is closed. */
    @Override
    public boolean isClosed() {
        return resource.isClosed() || store.isClosed();
    }

    /** Frees the instance and its exports; waits for a call running in its store on another thread. */
    @Override
    public void close() {
        resource.close(); // the free itself waits for the store's lock
    }

    @Override
    public String toString() {
        return "Instance[" + exports.keySet() + "]";
    }
}
