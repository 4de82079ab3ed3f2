package dev.wasmerffm;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.wasmerffm.internal.Layouts;
import dev.wasmerffm.internal.NativeJar;
import dev.wasmerffm.internal.store.LastError;
import dev.wasmerffm.internal.store.Lifetime;
import dev.wasmerffm.internal.store.NativeResource;
import dev.wasmerffm.raw.LibWasm;
import dev.wasmerffm.raw.LibWasmer;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An instantiated module in a store, with its exports. Its memories, tables and globals belong to the store and
 * live until the store closes; {@link #close()} makes this object and its exports unusable and gives back its
 * handles, but reclaims no memory: for that, close the store.
 */
public final class Instance implements AutoCloseable {

    private final Store store;
    private final Module module;
    private final MemorySegment pointer;
    /** The instance, its export vec, and its copies of imported host functions. */
    private final List<NativeResource.Handle> handles;

    private final Map<String, Extern> exports;
    /** The host functions copied for this instance, whose calls name it as caller. */
    final List<Upcalls.Host> hostCopies;

    /** Closed with this instance; its exports (views) check it. */
    private final Lifetime lifetime = new Lifetime();

    private Instance(
            Store store,
            Module module,
            MemorySegment instance,
            MemorySegment exportVec,
            List<NativeResource.Handle> handles,
            List<Upcalls.Host> hostCopies) {
        this.hostCopies = hostCopies;
        this.store = store;
        this.module = module;
        this.pointer = instance;
        long n = Layouts.vecSize(exportVec);
        MemorySegment data = n == 0 ? MemorySegment.NULL : Layouts.vecData(exportVec, ADDRESS.byteSize());
        handles.add(0, store.state.handles.add(NativeResource.Kind.INSTANCE, instance.address(), 0));
        handles.add(store.state.handles.add(NativeResource.Kind.EXTERN_VEC, data.address(), n));
        this.handles = handles;
        // On the lifetime, which every export holds: an export in use keeps the externs it points into, even
        // once this object is unreachable (Instance.create(...).func("f") is the usual way to get a function).
        for (NativeResource.Handle h : handles) {
            NativeResource.CLEANER.register(lifetime, h);
        }
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
            map.put(
                    e.name(),
                    switch (e.type()) {
                        case FuncType t -> new Func(store, LibWasm.wasm_extern_as_func(ext), lifetime, e.name(), t);
                        case MemoryType t -> new Memory(store, LibWasm.wasm_extern_as_memory(ext), lifetime);
                        case GlobalType t ->
                            new Global(store, LibWasm.wasm_extern_as_global(ext), lifetime, e.name(), t);
                        case TableType t -> new Table(store, LibWasm.wasm_extern_as_table(ext), lifetime, t.element());
                    });
        }
        this.exports = Collections.unmodifiableMap(map);
    }

    /** Instantiates with imports resolved by module and name. */
    public static Instance create(Store store, Module module, Imports imports) {
        return create(store, module, imports.resolve(module).toArray(Extern[]::new));
    }

    /**
     * Instantiates with imports in the module's declaration order. Every import is checked in Java first (count,
     * store, kind, type), and the module must run on the store's native engine, so a mismatch is a
     * {@link LinkException} naming the import and both types (or both engines).
     *
     * @throws TrapException if the start function traps
     * @throws StoreLimitException past the store's {@link Store#maxInstances(int)}
     */
    public static Instance create(Store store, Module module, Extern... imports) {
        return create(store, module, true, imports);
    }

    /**
     * An instance of one of the binding's generated modules (adapters, batch drivers): host functions it calls are
     * called on behalf of Java, so they see no caller (an importing instance re-binds them to itself).
     */
    static Instance adapter(Store store, Module module, Extern... imports) {
        Instance i = create(store, module, imports);
        i.hostCopies.forEach(copy -> copy.caller = null);
        return i;
    }

    /**
     * {@code sameEngine}: refuse a module of another native engine. Only the store's WASI placeholder (a memory
     * and no functions, so no signature lookup that could panic) skips it.
     */
    static Instance create(Store store, Module module, boolean sameEngine, Extern... imports) {
        if (PlatformCalls.ON && Thread.currentThread().isVirtual()) { // a start function runs as calls do
            return PlatformCalls.call(store, () -> create(store, module, sameEngine, imports));
        }
        if (!module.runsHere()) {
            throw new LinkException("module was compiled for " + module.arch() + " and cannot run on this "
                    + NativeJar.hostArch() + " machine");
        }
        if (sameEngine && module.code() != store.nativeEngine) {
            throw new LinkException(module + " was compiled by " + module.nativeEngineName() + ", but " + store
                    + " runs on "
                    + (store.nativeEngine == store.engine().nativeState()
                            ? "the engine's own native" + " engine"
                            : "another module's native engine")
                    + "; libwasmer aborts on functions of one engine"
                    + " called in a store of another. "
                    + (module.isMetered()
                            ? "A metered module has a native"
                                    + " engine of its own: instantiate it in new Store(module)."
                            : "Use a store of the engine that" + " compiled the module."));
        }
        if (module.info().hasStart() && (store.deadline != null || CallThread.current().deadline != null)) {
            // libwasmer runs it inside wasm_instance_new, before the watchdog could reach the instance's points
            throw new IllegalStateException(module + " has a start function, which the deadline of the running call"
                    + " cannot stop: make its instance outside a call with a deadline");
        }
        List<ImportType> declared = module.imports();
        if (imports.length != declared.size()) {
            throw new LinkException(
                    "module needs " + declared.size() + " imports " + declared + ", got " + imports.length);
        }
        for (int i = 0; i < imports.length; i++) {
            checkImport(store, declared.get(i), imports[i]);
        }
        MemorySegment s = store.enter();
        List<NativeResource.Handle> handles = new ArrayList<>(2);
        try (Arena arena = Arena.ofConfined()) {
            store.countInstance(module.info().definedMemories());
            store.hasV128 |= module.usesV128();
            store.hold(module.code());
            MemorySegment elems = arena.allocate(ADDRESS, Math.max(1, imports.length));
            List<Upcalls.Host> copies = new ArrayList<>(0);
            for (int i = 0; i < imports.length; i++) {
                int at = i;
                if (imports[i] instanceof Func f && f.v128Host != null) {
                    // A v128 host function's adapter for this instance alone: its copy's caller becomes this one.
                    Instance adapter = V128Adapters.hostAdapter(f.v128Host, f.v128Host.host());
                    copies.addAll(adapter.hostCopies);
                    elems.setAtIndex(ADDRESS, i, adapter.func(f.name()).asExtern());
                } else if (imports[i] instanceof Func f && f.isHost()) {
                    f.pointer(); // closed check
                    // A copy of the host function for this instance alone, so a call knows its caller.
                    copies.add(f.bindCopy(func -> {
                        handles.add(store.state.handles.add(NativeResource.Kind.FUNC, func.address(), 0));
                        elems.setAtIndex(ADDRESS, at, LibWasm.wasm_func_as_extern(func));
                    }));
                } else {
                    elems.setAtIndex(ADDRESS, i, imports[i].asExtern());
                }
            }
            MemorySegment vec = arena.allocate(Layouts.VEC);
            vec.set(JAVA_LONG, Layouts.VEC_SIZE, imports.length);
            vec.set(ADDRESS, Layouts.VEC_DATA, elems);
            MemorySegment trapOut = arena.allocate(ADDRESS);
            MemorySegment instance = module.use(m -> LibWasm.wasm_instance_new(s, m, vec, trapOut));
            if (instance.equals(MemorySegment.NULL)) {
                handles.forEach(store::release);
                MemorySegment trap = trapOut.get(ADDRESS, 0);
                if (!trap.equals(MemorySegment.NULL)) {
                    throw Traps.toException(trap, null, store.takePending(), false);
                }
                throw new LinkException("cannot instantiate module: " + LastError.take("unknown reason"));
            }
            MemorySegment exportVec = arena.allocate(Layouts.VEC); // its contents are copied out by the constructor
            LibWasm.wasm_instance_exports(instance, exportVec);
            Instance created = new Instance(
                    store,
                    module,
                    instance,
                    exportVec,
                    handles,
                    copies.isEmpty() ? List.of() : copies); // most instances import no host function
            copies.forEach(h -> h.caller = created);
            if (module.isMetered()) {
                store.metered.add(created);
            }
            return created;
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
            throw new LinkException(
                    what + " must be a " + imp.type().kind() + " (" + imp.type() + "), got a " + given.kind());
        }
        ExternType actual = matchedType(given);
        boolean ok =
                switch (imp.type()) {
                    case FuncType t -> t.equals(actual);
                    case GlobalType t -> t.equals(actual);
                    case MemoryType t -> fits(((MemoryType) actual).limits(), t.limits());
                    case TableType t ->
                        t.element() == ((TableType) actual).element()
                                && fits(((TableType) actual).limits(), t.limits());
                };
        if (!ok) {
            throw new LinkException(what + " must be " + imp.type() + ", got " + actual);
        }
    }

    /**
     * The type an import is matched against: a table's or memory's current size is its minimum, as the spec's
     * external typing says (a table grown from 1 to 2 elements satisfies {@code (table 2 funcref)}).
     */
    private static ExternType matchedType(Extern given) {
        return switch (given) {
            case Table t -> {
                TableType declared = t.type();
                yield new TableType(
                        declared.element(),
                        new Limits(t.size(), declared.limits().max()));
            }
            case Memory m ->
                new MemoryType(new Limits(m.pages(), m.type().limits().max()));
            default -> given.type();
        };
    }

    /** The spec's import subtyping of limits. */
    private static boolean fits(Limits given, Limits wanted) {
        return given.min() >= wanted.min() && (!wanted.hasMax() || given.hasMax() && given.max() <= wanted.max());
    }

    private void checkOpen() {
        if (lifetime.isClosed()) {
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
        return store.locked(this::pointer, body);
    }

    /** Caller holds the store lock. */
    MemorySegment pointer() {
        checkOpen();
        return pointer;
    }

    /** The pointer without the closed check, for a running call finishing after a close was asked. */
    MemorySegment rawPointer() {
        return pointer;
    }

    /** Whether the native instance handle is gone; caller holds the store lock. */
    boolean isFreed() {
        return store.isFreed() || handles.getFirst().isFreed();
    }

    /** Whether this instance or its store is closed. */
    public boolean isClosed() {
        return lifetime.isClosed() || store.isClosed();
    }

    /**
     * Makes this instance and its exports unusable and gives back its handles (now, or when a call running in the
     * store returns). Its memories and tables are reclaimed only when the store closes.
     */
    @Override
    public void close() {
        if (!lifetime.isClosed()) {
            lifetime.close();
            handles.forEach(store::release);
        }
    }

    @Override
    public String toString() {
        return "Instance[" + exports.keySet() + "]";
    }
}
