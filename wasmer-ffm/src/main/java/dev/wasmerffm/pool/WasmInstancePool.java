package dev.wasmerffm.pool;

import dev.wasmerffm.DeadlineExceededException;
import dev.wasmerffm.ExportType;
import dev.wasmerffm.FuncType;
import dev.wasmerffm.Imports;
import dev.wasmerffm.Instance;
import dev.wasmerffm.Metering;
import dev.wasmerffm.MeteringExhaustedException;
import dev.wasmerffm.Module;
import dev.wasmerffm.Store;
import dev.wasmerffm.TrapException;
import dev.wasmerffm.WasmerException;
import dev.wasmerffm.cache.ModuleCache;
import dev.wasmerffm.extism.CompiledPlugin;
import dev.wasmerffm.extism.Plugin;
import dev.wasmerffm.wasi.WasiConfig;
import dev.wasmerffm.wasi.WasiEnv;
import dev.wasmerffm.wasi.WasiExit;
import dev.wasmerffm.wasi.WasiVersion;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * Instances of registered modules for concurrent callers: each borrower gets an instance with a store of its own
 * (libwasmer stores are single-threaded), returned for reuse when the lease closes. Instances are made on demand,
 * up to the pool size per module; metered instances get their points back as configured. A reused instance keeps
 * its memory, globals and tables from call to call ({@link InstanceReuse} chooses otherwise). A store keeps all it
 * ever made until it closes, so an instance is replaced, store and all, after {@code maxCalls} leases, a deadline or
 * (by default) a trap: the pool's footprint stays flat however long it serves.
 *
 * <p>An Extism plugin (a module importing {@code extism:host/env}, see {@link Plugin#isPlugin}) is pooled as
 * {@link Plugin}s compiled once per module version with the module's limits: its points and deadline hold per call,
 * its memory limit for the guest's and the kernel's memory each; {@link #call(String, String, byte[])} calls it.
 *
 * <pre>{@code
 * try (WasmInstancePool pool = WasmInstancePool.builder(modules)
 *         .limits(new ModuleLimits(1_000_000, Duration.ofSeconds(1), -1, 4))
 *         .build()) {
 *     int sum = (Integer) pool.call("add", "add", 1, 2)[0];
 * }
 * }</pre>
 */
public final class WasmInstancePool implements AutoCloseable {

    private final WasmModules modules;
    private final Function<String, ModuleLimits> limits;
    private final Duration borrowTimeout;
    private final long maxCalls;
    private final boolean resetPointsPerCall;
    private final InstanceReuse reuse;
    private final Function<String, WasiConfig> wasi;
    private final Map<String, Slot> slots = new ConcurrentHashMap<>();
    private final WasmerObserver observer;
    private final BiFunction<Store, Module, Imports> imports;
    private final BiConsumer<String, Plugin.Builder> plugins;
    private volatile boolean closed;

    /** Per module: idle instances, and how many exist. */
    private static final class Slot {
        final IdleQueue<Pooled> idle;
        final AtomicInteger created = new AtomicInteger();
        /** Summed on read: a counter every call writes must not be one cache line all threads share. */
        final LongAdder inUse = new LongAdder();

        final LongAdder consumedPoints = new LongAdder();
        final LongAdder exhaustions = new LongAdder();
        final LongAdder deadlines = new LongAdder();
        final LongAdder recycled = new LongAdder();
        final ModuleLimits limits;
        /** The version of the module this slot's instances are of. */
        final Module module;
        /** The module's exported functions: the names observers may see. */
        final Set<String> functions;
        /** Set when the module is replaced or removed: instances go when their leases end. */
        volatile boolean retired;
        /** The compiled plugin its instances are made from, when the module is an Extism plugin. */
        final @Nullable CompiledPlugin plugin;
        /** Every instance alive, lent or idle: {@link #stopCalls()} reaches the lent ones' stores. */
        final Set<Pooled> alive = ConcurrentHashMap.newKeySet();

        final String name;

        Slot(String name, ModuleLimits limits, Module module, @Nullable CompiledPlugin plugin) {
            idle = new IdleQueue<>(limits.poolSize());
            this.name = name;
            this.limits = limits;
            this.module = module;
            this.plugin = plugin;
            this.functions = module.exports().stream()
                    .filter(e -> e.type() instanceof FuncType)
                    .map(ExportType::name)
                    .collect(Collectors.toUnmodifiableSet());
        }

        void close(Pooled pooled) {
            pooled.close();
            alive.remove(pooled);
            created.decrementAndGet();
            recycled.increment();
        }

        /** Closes the idle instances; a plugin's compiled code goes when the last plugin made from it does. */
        void closeIdle() {
            Pooled p;
            while ((p = idle.poll()) != null) {
                p.close();
                alive.remove(p);
            }
            if (plugin != null) {
                plugin.close();
            }
        }

        String observed(String function) {
            return functions.contains(function) ? function : WasmerObserver.UNKNOWN;
        }
    }

    /**
     * One pooled instance with its own store (and WASI environment, for WASI modules), or one plugin (which has its
     * own store), and its lease count.
     */
    private static final class Pooled {
        /** Where the lease count is in {@link #leases}: 56 bytes of the array on either side of it. */
        static final int LEASES = 7;

        final @Nullable Store store;
        final @Nullable WasiEnv wasi;
        final @Nullable Instance instance;
        final @Nullable Plugin plugin;
        /**
         * The lease count, alone on its cache line: every lease writes it, and the GC packs the pool's instances side
         * by side, so as a plain field it shared a line with another thread's instance in some runs.
         */
        final long[] leases = new long[2 * LEASES + 1];

        Pooled(Store store, @Nullable WasiEnv wasi, Instance instance) {
            this.store = store;
            this.wasi = wasi;
            this.instance = instance;
            this.plugin = null;
        }

        Pooled(Plugin plugin) {
            this.store = null;
            this.wasi = null;
            this.instance = null;
            this.plugin = plugin;
        }

        /** Whether the instance is metered (a plugin meters its calls itself). */
        boolean metered() {
            return instance != null && instance.isMetered() && !instance.isClosed();
        }

        /** {@link Store#stopCalls()} of the instance's store, or the plugin's. */
        void stopCalls() {
            if (plugin != null) {
                plugin.stopCalls();
            } else if (store != null) {
                store.stopCalls();
            }
        }

        /** Frees the instance, its environment and all they made: the store owns them. */
        void close() {
            if (plugin != null) {
                plugin.close();
            } else if (store != null) {
                store.close();
            }
        }
    }

    /** What is done with an instance after a call. */
    public enum InstanceReuse {
        /** Kept for the next call, also after a trap (deadlines excepted): state persists between calls. */
        REUSE,
        /** Kept for the next call until a call traps; then replaced (memory may be half-written). */
        DISCARD_AFTER_TRAP,
        /** Replaced after every call: no memory, globals or tables pass from one call to the next. */
        FRESH_PER_CALL
    }

    /** A pool over {@code modules}, with the defaults of {@link Builder} until set otherwise. */
    public static Builder builder(WasmModules modules) {
        return new Builder(modules);
    }

    /** How the pool treats instances, for every module or by module name. */
    public static final class Builder {

        private final WasmModules modules;
        private @Nullable Function<String, ModuleLimits> limits;
        private Duration borrowTimeout = Duration.ofSeconds(5);
        private long maxCalls = 10_000;
        private boolean resetPointsPerCall = true;
        private InstanceReuse reuse = InstanceReuse.DISCARD_AFTER_TRAP;
        private Function<String, WasiConfig> wasi = WasiConfig::new;
        private WasmerObserver observer = WasmerObserver.NONE;
        private BiFunction<Store, Module, Imports> imports = (store, module) -> new Imports();
        private BiConsumer<String, Plugin.Builder> plugins = (module, plugin) -> {};

        private Builder(WasmModules modules) {
            this.modules = modules;
        }

        /**
         * The points, call deadline and pool size of each module, by module name. Default: the points of the
         * module's engine's metering (an unmetered engine's instances, metered only for deadlines, get points no call
         * exhausts), no deadline, no memory limit and as many instances as processors.
         */
        public Builder limits(Function<String, ModuleLimits> limits) {
            this.limits = limits;
            return this;
        }

        /** The same limits for every module. */
        public Builder limits(ModuleLimits limits) {
            return limits(module -> limits);
        }

        /** How long a borrower waits for a free instance. Default: 5 seconds. */
        public Builder borrowTimeout(Duration borrowTimeout) {
            this.borrowTimeout = borrowTimeout;
            return this;
        }

        /** Leases after which an instance is replaced by a new one in a new store, at least 1. Default: 10 000. */
        public Builder maxCalls(long maxCalls) {
            if (maxCalls < 1) {
                throw new IllegalArgumentException("maxCalls must be >= 1, got " + maxCalls);
            }
            this.maxCalls = maxCalls;
            return this;
        }

        /**
         * Whether metering points are given back before every lease (else once, when the instance is made). Default:
         * true.
         */
        public Builder resetPointsPerCall(boolean resetPointsPerCall) {
            this.resetPointsPerCall = resetPointsPerCall;
            return this;
        }

        /** What is done with an instance after a call. Default: {@link InstanceReuse#DISCARD_AFTER_TRAP}. */
        public Builder reuse(InstanceReuse reuse) {
            this.reuse = reuse;
            return this;
        }

        /**
         * The WASI configuration (arguments, environment, directories) of a WASI module's instances, by module name;
         * asked once per instance. Default: {@code new WasiConfig(module)}, the module's name as program name and
         * nothing else.
         */
        public Builder wasi(Function<String, WasiConfig> wasi) {
            this.wasi = wasi;
            return this;
        }

        /** Who hears of instances made and calls. Default: {@link WasmerObserver#NONE}. */
        public Builder observer(WasmerObserver observer) {
            this.observer = observer;
            return this;
        }

        /**
         * What a new instance of a module imports, made in the instance's store (the starter's are the
         * {@code @WasmHostFunction} bean methods). Default: nothing.
         */
        public Builder imports(BiFunction<Store, Module, Imports> imports) {
            this.imports = imports;
            return this;
        }

        /**
         * What an Extism plugin module gets besides its limits, by module name: config, allowed paths and hosts,
         * {@code extism:host/user} functions ({@link Plugin.Builder}). Called once per module version, before it is
         * compiled. Default: nothing.
         */
        public Builder plugins(BiConsumer<String, Plugin.Builder> plugins) {
            this.plugins = plugins;
            return this;
        }

        /** The pool; it hears of modules replaced or removed in {@code modules} from now on. */
        public WasmInstancePool build() {
            return new WasmInstancePool(this);
        }
    }

    private WasmInstancePool(Builder b) {
        this.modules = b.modules;
        this.limits = b.limits != null ? b.limits : this::defaultLimits;
        this.borrowTimeout = b.borrowTimeout;
        this.maxCalls = b.maxCalls;
        this.resetPointsPerCall = b.resetPointsPerCall;
        this.reuse = b.reuse;
        this.wasi = b.wasi;
        this.observer = b.observer;
        this.imports = b.imports;
        this.plugins = b.plugins;
        modules.onChange(this::retire);
    }

    /** {@link Builder#limits}' default. */
    private ModuleLimits defaultLimits(String module) {
        Metering metering = modules.get(module).module().engine().config().metering();
        return new ModuleLimits(
                metering != null ? metering.initialPoints() : Long.MAX_VALUE,
                Duration.ZERO,
                -1,
                Runtime.getRuntime().availableProcessors());
    }

    /** Module {@code name} was replaced or removed: its idle instances close now, lent ones when returned. */
    private void retire(String name) {
        Slot slot = slots.remove(name);
        if (slot != null) {
            slot.retired = true;
            slot.closeIdle();
        }
    }

    /** How often a borrower waiting for an instance looks whether its module was replaced or removed meanwhile. */
    private static final long RETIRED_CHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

    /** An instance of {@code module} for this thread alone until the lease is closed. */
    public Lease borrow(String module) {
        if (closed) {
            throw new PoolClosedException(module);
        }
        long until = 0; // set when this first waits
        Slot slot;
        Pooled p;
        do { // again when the module was replaced or removed while this waited: its slot lends nothing more
            modules.get(module); // UnknownModuleException naming the registered ones
            slot = slot(module);
            int size = slot.limits.poolSize();
            p = slot.idle.poll();
            if (p == null && slot.created.getAndUpdate(n -> n < size ? n + 1 : n) < size) {
                try {
                    long t0 = System.nanoTime();
                    p = create(module, slot);
                    slot.alive.add(p);
                    observer.instantiated(module, System.nanoTime() - t0);
                } catch (RuntimeException e) {
                    slot.created.decrementAndGet();
                    throw e;
                }
            }
            if (p == null && until == 0) {
                until = System.nanoTime() + borrowTimeout.toNanos();
            }
            try {
                while (p == null && !slot.retired) {
                    long left = until - System.nanoTime();
                    if (left <= 0) {
                        throw new PoolExhaustedException(module, borrowTimeout, size);
                    }
                    p = slot.idle.poll(Math.min(left, RETIRED_CHECK_NANOS), TimeUnit.NANOSECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new WasmerException("interrupted waiting for an instance of " + module, e);
            }
        } while (p == null);
        if (resetPointsPerCall && p.metered()) {
            Objects.requireNonNull(p.instance).remainingPoints(slot.limits.points());
        }
        if (closed) { // stopCalls ran since the look above and may have missed this instance
            p.stopCalls();
        }
        slot.inUse.increment();
        return new Lease(this, slot, p);
    }

    /** The instances of a registered module. */
    private Slot slot(String module) {
        Slot slot = slots.get(module);
        return slot != null ? slot : slots.computeIfAbsent(module, this::newSlot);
    }

    private Slot newSlot(String name) {
        WasmModules.Entry entry = modules.get(name);
        ModuleLimits limits = limits(name);
        byte[] wasm = entry.pluginWasm();
        return new Slot(name, limits, entry.module(), wasm == null ? null : compilePlugin(entry, wasm, limits));
    }

    /**
     * A plugin module compiled with Extism's kernel on an engine configured as the module's, with the module's limits
     * in place of its metering: points (unless unlimited) and the deadline per call, the memory limit per memory.
     */
    private CompiledPlugin compilePlugin(WasmModules.Entry entry, byte[] wasm, ModuleLimits limits) {
        dev.wasmerffm.Config config = entry.module().engine().config().copy().deadlines(false);
        boolean metered = config.metering() != null;
        config.metering(null);
        Plugin.Builder b = Plugin.builder()
                .name(entry.name())
                .wasm(wasm)
                .engineConfig(config)
                .points(metered && limits.points() != Long.MAX_VALUE ? limits.points() : 0)
                .timeout(limits.callTimeout())
                // the module's cache levels for the plugin's engine: a restart loads the kernel and guest it compiled
                .modules(engine -> new CachedModules(entry.cache().forEngine(engine)));
        if (limits.maxMemory() >= 0) {
            b.maxMemoryPages(limits.maxMemory() / dev.wasmerffm.Memory.PAGE_SIZE);
        }
        if (observer != WasmerObserver.NONE) {
            b.handOff(observer::handOff); // as for a store: host functions of a virtual thread's call see its scope
        }
        plugins.accept(entry.name(), b);
        return b.compile();
    }

    /** A plugin's modules from a {@link ModuleCache} of its engine, which owns them. */
    private record CachedModules(ModuleCache cache) implements Plugin.ModuleSource {
        @Override
        public Module get(byte[] wasm) {
            return cache.get(wasm);
        }

        @Override
        public void close() {
            cache.close();
        }
    }

    /** The limits of {@code module}'s calls. */
    public ModuleLimits limits(String module) {
        return limits.apply(module);
    }

    private Pooled create(String name, Slot slot) {
        if (slot.plugin != null) {
            return new Pooled(slot.plugin.instantiate());
        }
        Module module = slot.module;
        ModuleLimits limits = slot.limits;
        // on the module's native engine: a metered module has one of its own
        Store store = new Store(module).callTimeout(limits.callTimeout());
        if (observer != WasmerObserver.NONE) {
            store.handOff(observer::handOff);
        }
        WasiEnv env = null;
        try {
            Imports imports = this.imports.apply(store, module);
            Instance instance;
            if (WasiEnv.version(module) != WasiVersion.INVALID) {
                env = WasiEnv.create(store, this.wasi.apply(name));
                instance = env.instantiate(module, imports);
            } else {
                instance = Instance.create(store, module, imports);
            }
            if (instance.isMetered()) {
                instance.remainingPoints(limits.points());
            }
            return new Pooled(store, env, instance);
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
    }

    /**
     * Runs {@code body} with a pooled instance of {@code module}, counting metering points and exhaustions; the
     * observer sees it as a call of {@code function}.
     */
    public <T extends @Nullable Object> T call(String module, String function, Function<Instance, T> body) {
        return leased(module, function, lease -> body.apply(lease.instance()));
    }

    /**
     * Runs WASI command {@code module}: its {@code _start} on a fresh instance, which is then replaced (a command's
     * instance is spent once {@code _start} returned), with stdin, args and env from the pool's WASI config. Exit
     * codes, 0 or not, are the result; other traps are thrown.
     */
    public WasiExit run(String module) {
        return leased(module, "_start", lease -> {
            WasiEnv env = lease.wasi();
            if (env == null) {
                throw new WasmerException("module '" + module + "' imports no WASI: it is not a WASI command");
            }
            lease.discard();
            return env.start(lease.instance());
        });
    }

    private <T extends @Nullable Object> T leased(String module, String function, Function<Lease, T> body) {
        long t0 = System.nanoTime();
        WasmerObserver.CallScope scope = modules.contains(module)
                ? observer.callStarted(module, slot(module).observed(function))
                : observer.callStarted(WasmerObserver.UNKNOWN, WasmerObserver.UNKNOWN);
        Throwable failure = null;
        Lease lease = null;
        try {
            lease = borrow(module);
            return body.apply(lease);
        } catch (RuntimeException | Error e) {
            failure = e;
            if (lease != null
                    && (e instanceof DeadlineExceededException
                            || e instanceof Error
                            || e instanceof TrapException && reuse != InstanceReuse.REUSE)) {
                lease.discard(); // the instance stopped half-way through its work
            }
            // the lease's slot: the module may have been replaced or removed since, its slot gone from slots
            if (lease != null && e instanceof MeteringExhaustedException) {
                lease.slot.exhaustions.increment();
            } else if (lease != null && e instanceof DeadlineExceededException) {
                lease.slot.deadlines.increment();
            }
            throw e;
        } finally {
            long points = -1;
            if (lease != null) {
                lease.close();
                points = lease.pointsUsed;
            }
            scope.ended(System.nanoTime() - t0, points, failure);
        }
    }

    /**
     * Calls {@code function} of a pooled plugin of Extism plugin {@code module} with {@code input}, returning its
     * output ({@link Plugin#call(String, byte[])}).
     *
     * @throws dev.wasmerffm.extism.PluginException if the function reported an error (the plugin is kept)
     * @throws WasmerException if {@code module} is not an Extism plugin
     */
    public byte[] call(String module, String function, byte[] input) {
        return leased(module, function, lease -> lease.plugin().call(function, input));
    }

    /** Calls {@code function} of a pooled instance of {@code module} with boxed arguments. */
    public Object[] call(String module, String function, Object... args) {
        return call(module, function, instance -> instance.func(function).call(args));
    }

    /**
     * Applies {@code function} of a pooled instance of {@code module} to {@code rows} rows in one crossing
     * ({@link dev.wasmerffm.Batch#run}: one column per parameter and result); a trapping row discards the instance
     * and throws {@link dev.wasmerffm.BatchTrapException} naming the row.
     */
    public void batch(String module, String function, int rows, Object[] params, Object[] results) {
        call(module, function, instance -> {
            instance.func(function).batch().run(rows, params, results);
            return null;
        });
    }

    /** Exclusive use of one pooled instance; close it to give the instance back. */
    public static final class Lease implements AutoCloseable {
        private final WasmInstancePool pool;
        private final Slot slot;
        private final Pooled pooled;
        private final AtomicBoolean returned = new AtomicBoolean();
        private volatile boolean discard;
        /** The points the lease used, set when it closes; -1 if unknown. */
        private long pointsUsed = -1;

        Lease(WasmInstancePool pool, Slot slot, Pooled pooled) {
            this.pool = pool;
            this.slot = slot;
            this.pooled = pooled;
        }

        /** The instance, for this lease only. */
        public Instance instance() {
            checkLent();
            if (pooled.instance == null) {
                throw new WasmerException("module '" + slot.name
                        + "' is an Extism plugin: call it with call(module, function, byte[]) or lease.plugin()");
            }
            return pooled.instance;
        }

        /** The plugin, for this lease only, when the module is an Extism plugin. */
        public Plugin plugin() {
            checkLent();
            if (pooled.plugin == null) {
                throw new WasmerException(
                        "module '" + slot.name + "' is not an Extism plugin: it imports nothing from extism:host/env");
            }
            return pooled.plugin;
        }

        private void checkLent() {
            if (returned.get()) {
                throw new IllegalStateException("lease already returned");
            }
        }

        /** The instance's WASI environment, or null for a module without WASI imports. */
        public @Nullable WasiEnv wasi() {
            return pooled.wasi;
        }

        /** Replaces the instance with a new one instead of reusing it when this lease closes. */
        public void discard() {
            discard = true;
        }

        @Override
        public void close() {
            if (!returned.compareAndSet(false, true)) {
                return;
            }
            slot.inUse.decrement();
            Instance i = pooled.instance;
            if (pooled.plugin != null) { // a plugin gets its points back at every call
                pointsUsed = pooled.plugin.pointsUsed();
                if (pointsUsed >= 0) {
                    slot.consumedPoints.add(pointsUsed);
                }
            } else if (pool.resetPointsPerCall && pooled.metered()) {
                pointsUsed = slot.limits.points() - Objects.requireNonNull(i).remainingPoints();
                slot.consumedPoints.add(pointsUsed);
            }
            if (discard
                    || pool.reuse == InstanceReuse.FRESH_PER_CALL
                    || ++pooled.leases[Pooled.LEASES] >= pool.maxCalls
                    || i != null && i.isClosed()
                    || pool.closed
                    || slot.retired
                    || !resetStdio(pooled)
                    || !slot.idle.offer(pooled)) {
                slot.close(pooled);
            } else if (slot.retired) { // retired while it was being given back: nothing borrows from it now
                slot.closeIdle();
            }
        }
    }

    /** Empties a reused instance's captured stdio, so its next lease sees only its own output; true. */
    private static boolean resetStdio(Pooled pooled) {
        if (pooled.wasi != null) {
            pooled.wasi.resetStdio();
        }
        return true;
    }

    /**
     * Statistics of one module's instances.
     *
     * @param created instances alive now, lent or idle (at most the pool size)
     * @param inUse instances lent out now
     * @param idle instances waiting
     * @param remainingPoints points left summed over idle metered instances
     * @param consumedPoints points used by finished leases (per-call reset only; a plugin's always, see
     *     {@link Plugin#pointsUsed()})
     * @param exhaustions calls stopped for lack of points
     * @param deadlines calls stopped at their deadline
     * @param recycled instances replaced (after a failed call or {@code maxCalls} leases), their stores freed
     */
    public record Stats(
            int created,
            int inUse,
            int idle,
            long remainingPoints,
            long consumedPoints,
            long exhaustions,
            long deadlines,
            long recycled) {}

    /** Statistics per module with instances. */
    public Map<String, Stats> stats() {
        Map<String, Stats> out = new java.util.TreeMap<>();
        slots.forEach((name, s) -> {
            long remaining = 0;
            for (Pooled p : s.idle.snapshot()) {
                remaining += p.metered() ? Objects.requireNonNull(p.instance).remainingPoints() : 0;
            }
            out.put(
                    name,
                    new Stats(
                            s.created.get(),
                            (int) s.inUse.sum(),
                            s.idle.size(),
                            remaining,
                            s.consumedPoints.sum(),
                            s.exhaustions.sum(),
                            s.deadlines.sum(),
                            s.recycled.sum()));
        });
        return out;
    }

    /**
     * Closes every idle instance; lent ones close when returned. No call starts after it
     * ({@link PoolClosedException}).
     */
    @Override
    public void close() {
        closed = true;
        slots.values().forEach(Slot::closeIdle);
    }

    /**
     * For shutdown: {@link #close()}, and the calls running now end as if their deadline passed
     * ({@link Store#stopCalls()}): a call with a deadline (a {@link ModuleLimits#callTimeout()}) stops with a
     * {@link DeadlineExceededException} within the watchdog's reaction time; one without runs on.
     */
    public void stopCalls() {
        close();
        slots.values().forEach(slot -> slot.alive.forEach(Pooled::stopCalls));
    }
}
