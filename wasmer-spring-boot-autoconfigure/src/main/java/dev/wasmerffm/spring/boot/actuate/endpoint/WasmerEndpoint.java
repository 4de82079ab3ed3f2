package dev.wasmerffm.spring.boot.actuate.endpoint;

import dev.wasmerffm.Backend;
import dev.wasmerffm.Config;
import dev.wasmerffm.Engine;
import dev.wasmerffm.ExportType;
import dev.wasmerffm.ImportType;
import dev.wasmerffm.Wasmer;
import dev.wasmerffm.pool.ModuleLimits;
import dev.wasmerffm.pool.UnknownModuleException;
import dev.wasmerffm.pool.WasmInstancePool;
import dev.wasmerffm.pool.WasmModules;
import dev.wasmerffm.spring.boot.interop.WasmHostFunctions;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.actuate.endpoint.OperationResponseBody;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;

/** The {@code wasmer} actuator endpoint: runtime version, backends, configuration, modules and metering. */
@Endpoint(id = "wasmer")
public class WasmerEndpoint {

    private final Engine engine;
    private final WasmModules modules;
    private final WasmInstancePool pool;
    private final @Nullable WasmHostFunctions hostFunctions;

    /** @param hostFunctions the bean methods providing imports, or null */
    public WasmerEndpoint(
            Engine engine, WasmModules modules, WasmInstancePool pool, @Nullable WasmHostFunctions hostFunctions) {
        this.engine = engine;
        this.modules = modules;
        this.pool = pool;
        this.hostFunctions = hostFunctions;
    }

    @ReadOperation
    public WasmerDescriptor wasmer() {
        Config c = engine.config();
        Wasmer.Version v = Wasmer.version();
        Map<String, Boolean> backends = new TreeMap<>();
        Arrays.stream(Backend.values()).forEach(b -> backends.put(b.toString(), b.isAvailable()));
        Map<String, Boolean> features = new TreeMap<>();
        c.features().forEach((f, on) -> features.put(f.toString(), on));
        Map<String, WasmInstancePool.Stats> stats = pool.stats();
        List<ModuleDescriptor> list = modules.all().stream()
                .map(e -> describe(e, stats.get(e.name())))
                .toList();
        long consumed = stats.values().stream()
                .mapToLong(WasmInstancePool.Stats::consumedPoints)
                .sum();
        long exhaustions = stats.values().stream()
                .mapToLong(WasmInstancePool.Stats::exhaustions)
                .sum();
        return new WasmerDescriptor(
                new VersionDescriptor(v.full(), v.major(), v.minor(), v.patch(), v.pre()),
                c.backend().toString(),
                backends,
                Wasmer.isHeadless(),
                features,
                c.target() == null ? "host" : c.target().toString(),
                new MeteringDescriptor(
                        c.metering() != null,
                        c.metering() == null ? 0 : c.metering().initialPoints(),
                        consumed,
                        exhaustions),
                CacheDescriptor.of(modules.cache().stats()),
                list);
    }

    @ReadOperation
    public @Nullable ModuleDescriptor module(@Selector String name) {
        try {
            WasmModules.Entry e = modules.get(name);
            return describe(e, pool.stats().get(name));
        } catch (UnknownModuleException e) {
            return null; // 404
        }
    }

    /** An import, and the bean method providing it if one does. */
    private String describe(ImportType imp) {
        String provider = hostFunctions == null ? null : hostFunctions.provider(imp);
        return provider == null ? imp.toString() : imp + " <- " + provider;
    }

    private ModuleDescriptor describe(WasmModules.Entry e, WasmInstancePool.@Nullable Stats stats) {
        return new ModuleDescriptor(
                e.name(),
                e.location(),
                e.module().imports().stream().map(this::describe).toList(),
                e.module().exports().stream()
                        .collect(Collectors.toMap(
                                ExportType::name, x -> x.type().toString(), (a, b) -> a, java.util.LinkedHashMap::new)),
                e.module().isMetered(),
                modules.cacheState(e),
                pool.limits(e.name()),
                stats);
    }

    /**
     * The whole report.
     *
     * @param version libwasmer's version
     * @param backend the engine's backend
     * @param backends availability of every backend in the loaded libwasmer
     * @param headless whether libwasmer can only run precompiled code
     * @param features features set explicitly (others keep libwasmer's defaults)
     * @param target compilation target
     * @param metering metering configuration and totals
     * @param cache module cache statistics
     * @param modules registered modules
     */
    public record WasmerDescriptor(
            VersionDescriptor version,
            String backend,
            Map<String, Boolean> backends,
            boolean headless,
            Map<String, Boolean> features,
            String target,
            MeteringDescriptor metering,
            CacheDescriptor cache,
            List<ModuleDescriptor> modules)
            implements OperationResponseBody {}

    /**
     * libwasmer's version.
     *
     * @param full the full version
     * @param major major number
     * @param minor minor number
     * @param patch patch number
     * @param pre pre-release part, empty for a release
     */
    public record VersionDescriptor(String full, int major, int minor, int patch, String pre) {}

    /**
     * The module cache, in the endpoint's own type: the binding's {@code ModuleCache.Stats} may change without
     * changing this report.
     *
     * @param hits lookups served from memory
     * @param misses lookups not in memory
     * @param diskLoads modules loaded from verified disk artifacts
     * @param compiles modules compiled
     * @param rejected disk artifacts refused (failed authentication, or unusable by this libwasmer)
     * @param sharedLoads modules loaded from the shared store
     * @param sharedRejected shared artifacts refused
     * @param sharedErrors failed reads or writes of the shared store
     * @param size modules in memory
     */
    public record CacheDescriptor(
            long hits,
            long misses,
            long diskLoads,
            long compiles,
            long rejected,
            long sharedLoads,
            long sharedRejected,
            long sharedErrors,
            int size) {

        static CacheDescriptor of(dev.wasmerffm.cache.ModuleCache.Stats s) {
            return new CacheDescriptor(
                    s.hits(),
                    s.misses(),
                    s.diskLoads(),
                    s.compiles(),
                    s.rejected(),
                    s.sharedLoads(),
                    s.sharedRejected(),
                    s.sharedErrors(),
                    s.size());
        }
    }

    /**
     * Metering.
     *
     * @param enabled whether modules are metered
     * @param initialPoints points an instance gets
     * @param consumedPoints points used by pooled calls so far
     * @param exhaustions pooled calls stopped for lack of points
     */
    public record MeteringDescriptor(boolean enabled, long initialPoints, long consumedPoints, long exhaustions) {}

    /**
     * One module.
     *
     * @param name registered name
     * @param location where it was loaded from
     * @param imports its imports with types
     * @param exports its exports with signatures, by name
     * @param metered whether its instances are metered
     * @param cache where its compiled code is (memory, disk, absent)
     * @param limits the points and call deadline of its pooled calls
     * @param pool its pooled instances, null before first use
     */
    public record ModuleDescriptor(
            String name,
            String location,
            List<String> imports,
            Map<String, String> exports,
            boolean metered,
            String cache,
            ModuleLimits limits,
            WasmInstancePool.@Nullable Stats pool)
            implements OperationResponseBody {}
}
