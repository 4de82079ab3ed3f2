package dev.wasmerffm.sample;

import dev.wasmerffm.ExportType;
import dev.wasmerffm.FuncType;
import dev.wasmerffm.Func;
import dev.wasmerffm.MeteringExhaustedException;
import dev.wasmerffm.NoSuchExportException;
import dev.wasmerffm.TrapException;
import dev.wasmerffm.ValType;
import dev.wasmerffm.WasmArgumentException;
import dev.wasmerffm.spring.boot.modules.UnknownModuleException;
import dev.wasmerffm.spring.boot.modules.WasmInstancePool;
import dev.wasmerffm.spring.boot.modules.WasmModules;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/** Lists the plugins and calls their functions with JSON arguments. */
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
    }

    /** The results of a call, how long it took and the metering points it used. */
    record CallResult(List<Object> results, long nanos, long pointsUsed) {
    }

    @GetMapping("/plugins")
    List<Plugin> plugins() {
        return modules.all().stream().map(e -> new Plugin(e.name(), e.module().exports().stream()
                .filter(x -> x.type() instanceof FuncType).collect(java.util.stream.Collectors.toMap(
                        ExportType::name, x -> x.type().toString(), (a, b) -> a, java.util.TreeMap::new)))).toList();
    }

    @PostMapping("/plugins/{module}/{function}")
    CallResult call(@PathVariable String module, @PathVariable String function,
            @RequestBody(required = false) List<Number> args) {
        return pool.call(module, function, instance -> {
            Func f = instance.func(function);
            Object[] typed = convert(f.type(), args == null ? List.of() : args);
            long before = instance.isMetered() ? instance.remainingPoints() : 0;
            long t0 = System.nanoTime();
            Object[] results = f.call(typed);
            long nanos = System.nanoTime() - t0;
            long used = instance.isMetered() ? before - instance.remainingPoints() : 0;
            return new CallResult(List.of(results), nanos, used);
        });
    }

    /** JSON numbers to the parameter types; a mismatch is the caller's error (400). */
    private static Object[] convert(FuncType type, List<Number> args) {
        if (args.size() != type.params().size()) {
            throw new WasmArgumentException("expected " + type.params().size() + " arguments " + type + ", got "
                    + args.size());
        }
        List<Object> out = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            Number n = args.get(i);
            ValType t = type.params().get(i);
            out.add(switch (t) {
                case I32 -> Math.toIntExact(n.longValue());
                case I64 -> n.longValue();
                case F32 -> n.floatValue();
                case F64 -> n.doubleValue();
                default -> throw new WasmArgumentException("parameter " + i + " is " + t + ", which JSON cannot carry");
            });
        }
        return out.toArray();
    }

    @ExceptionHandler(MeteringExhaustedException.class)
    ProblemDetail outOfPoints(MeteringExhaustedException e) {
        return problem(HttpStatus.UNPROCESSABLE_CONTENT, "Metering limit reached", e.getMessage());
    }

    @ExceptionHandler(TrapException.class)
    ProblemDetail trapped(TrapException e) {
        return problem(HttpStatus.UNPROCESSABLE_CONTENT, "WebAssembly trap: " + e.kind(), e.trapMessage());
    }

    @ExceptionHandler({UnknownModuleException.class, NoSuchExportException.class})
    ProblemDetail notFound(RuntimeException e) {
        return problem(HttpStatus.NOT_FOUND, "No such plugin or function", e.getMessage());
    }

    @ExceptionHandler({WasmArgumentException.class, ArithmeticException.class})
    ProblemDetail badArguments(RuntimeException e) {
        return problem(HttpStatus.BAD_REQUEST, "Bad arguments", e.getMessage());
    }

    private static ProblemDetail problem(HttpStatus status, String title, String detail) {
        ProblemDetail p = ProblemDetail.forStatusAndDetail(status, detail);
        p.setTitle(title);
        return p;
    }
}
