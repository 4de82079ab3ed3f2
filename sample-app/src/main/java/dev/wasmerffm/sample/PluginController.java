package dev.wasmerffm.sample;

import dev.wasmerffm.ExportType;
import dev.wasmerffm.Func;
import dev.wasmerffm.FuncType;
import dev.wasmerffm.pool.WasmInstancePool;
import dev.wasmerffm.pool.WasmModules;
import java.util.List;
import java.util.Map;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/** Lists the plugins, calls their functions with JSON arguments, and takes plugins uploaded while it runs. */
@RestController
public class PluginController {

    private final WasmModules modules;
    private final WasmInstancePool pool;

    PluginController(WasmModules modules, WasmInstancePool pool) {
        this.modules = modules;
        this.pool = pool;
    }

    /** A plugin and its exported functions with signatures. */
    record Plugin(String name, Map<String, String> functions) {

        static Plugin of(WasmModules.Entry e) {
            return new Plugin(
                    e.name(),
                    e.module().exports().stream()
                            .filter(x -> x.type() instanceof FuncType)
                            .collect(java.util.stream.Collectors.toMap(
                                    ExportType::name, x -> x.type().toString(), (a, b) -> a, java.util.TreeMap::new)));
        }
    }

    /** The results of a call, how long it took and the metering points it used. */
    record CallResult(List<Object> results, long nanos, long pointsUsed) {

        /** Calls {@code f} of {@code instance} with JSON arguments, measuring time and points. */
        static CallResult of(dev.wasmerffm.Instance instance, Func f, List<Number> args) {
            Object[] typed = JsonArgs.convert(f.type(), args);
            long before = instance.isMetered() ? instance.remainingPoints() : 0;
            long t0 = System.nanoTime();
            Object[] results = f.call(typed);
            long nanos = System.nanoTime() - t0;
            long used = instance.isMetered() ? before - instance.remainingPoints() : 0;
            return new CallResult(List.of(results), nanos, used);
        }
    }

    @GetMapping("/plugins")
    List<Plugin> plugins() {
        return modules.all().stream().map(Plugin::of).toList();
    }

    /** Registers (or replaces) a plugin from its .wasm or .wat bytes; calls running finish on the old version. */
    @PutMapping("/plugins/{module}")
    Plugin upload(@PathVariable String module, @RequestBody byte[] wasmOrWat) {
        return Plugin.of(modules.register(module, wasmOrWat));
    }

    @DeleteMapping("/plugins/{module}")
    ResponseEntity<Void> remove(@PathVariable String module) {
        return modules.remove(module)
                ? ResponseEntity.noContent().build()
                : ResponseEntity.notFound().build();
    }

    @PostMapping("/plugins/{module}/{function}")
    CallResult call(
            @PathVariable String module,
            @PathVariable String function,
            @RequestBody(required = false) List<Number> args) {
        return pool.call(module, function, instance -> CallResult.of(instance, instance.func(function), args));
    }
}
