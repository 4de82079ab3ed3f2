package dev.wasmerffm.extism;

import static dev.wasmerffm.ValType.I32;
import static dev.wasmerffm.ValType.I64;

import dev.wasmerffm.Func;
import dev.wasmerffm.FuncType;
import dev.wasmerffm.HostFunction;
import dev.wasmerffm.Imports;
import dev.wasmerffm.Store;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * The host's functions in {@code extism:host/env}, as Extism's runtime implements them (its {@code pdk.rs}): keys
 * and values travel as offsets of kernel memory blocks; the blocks a plugin passes in are the host's to free.
 */
final class HostEnv {

    private static final FuncType OFFSET_TO_OFFSET = FuncType.of(List.of(I64), List.of(I64));
    private static final FuncType OFFSET = FuncType.of(List.of(I64), List.of());

    private HostEnv() {}

    static void define(Imports env, Store store, PluginStore kernel, Plugin plugin) {
        HostEnv.define(env, store, "config_get", OFFSET_TO_OFFSET, c -> {
            String key = take(kernel, c.i64(0));
            String value = plugin.compiled.config.get(key);
            c.result(0, value == null ? 0 : kernel.write(value.getBytes(StandardCharsets.UTF_8)));
        });
        HostEnv.define(env, store, "var_get", OFFSET_TO_OFFSET, c -> {
            byte[] value = plugin.vars.get(take(kernel, c.i64(0)));
            c.result(0, value == null ? 0 : kernel.write(value));
        });
        HostEnv.define(env, store, "var_set", FuncType.of(List.of(I64, I64), List.of()), c -> {
            long valueOffset = c.i64(1);
            byte[] value = valueOffset == 0 ? null : kernel.read(valueOffset);
            plugin.vars.put(take(kernel, c.i64(0)), value);
            if (valueOffset != 0) {
                kernel.free(valueOffset);
            }
        });
        HostEnv.define(env, store, "http_request", FuncType.of(List.of(I64, I64), List.of(I64)), c -> {
            long bodyOffset = c.i64(1);
            Map<?, ?> request = Json.parse(take(kernel, c.i64(0))) instanceof Map<?, ?> m ? m : Map.of();
            byte[] body = bodyOffset == 0 ? null : kernel.read(bodyOffset);
            if (bodyOffset != 0) {
                kernel.free(bodyOffset);
            }
            c.result(0, kernel.write(plugin.http(request, body, kernel.deadline)));
        });
        HostEnv.define(
                env,
                store,
                "http_status_code",
                FuncType.of(List.of(), List.of(I32)),
                c -> c.result(0, plugin.lastResponse == null ? 0 : plugin.lastResponse.status()));
        HostEnv.define(
                env,
                store,
                "http_headers",
                FuncType.of(List.of(), List.of(I64)),
                c -> c.result(
                        0,
                        plugin.lastResponse == null
                                ? 0
                                : kernel.write(Json.write(plugin.lastResponse.headers())
                                        .getBytes(StandardCharsets.UTF_8))));
        log(env, store, kernel, plugin, "log_trace", Level.TRACE);
        log(env, store, kernel, plugin, "log_debug", Level.DEBUG);
        log(env, store, kernel, plugin, "log_info", Level.INFO);
        log(env, store, kernel, plugin, "log_warn", Level.WARNING);
        log(env, store, kernel, plugin, "log_error", Level.ERROR);
        HostEnv.define(
                env,
                store,
                "get_log_level",
                FuncType.of(List.of(), List.of(I32)),
                c -> c.result(0, levelNumber(plugin.compiled.logLevel)));
    }

    private static void define(Imports env, Store store, String name, FuncType type, HostFunction fn) {
        env.define(Kernel.ENV, name, Func.host(store, type, fn));
    }

    private static void log(Imports env, Store store, PluginStore kernel, Plugin plugin, String name, Level level) {
        HostEnv.define(env, store, name, OFFSET, c -> {
            String message = take(kernel, c.i64(0));
            if (levelNumber(level) >= levelNumber(plugin.compiled.logLevel)) {
                plugin.logger.log(level, message);
            }
        });
    }

    /** The string in the block at {@code offset}, which is freed: the host owns what a plugin passes. */
    private static String take(PluginStore kernel, long offset) {
        String s = new String(kernel.read(offset), StandardCharsets.UTF_8);
        kernel.free(offset);
        return s;
    }

    /** Extism's numbering of log levels: trace 0 to error 4, and {@code Integer.MAX_VALUE} for off. */
    static int levelNumber(Level level) {
        return switch (level) {
            case ALL, TRACE -> 0;
            case DEBUG -> 1;
            case INFO -> 2;
            case WARNING -> 3;
            case ERROR -> 4;
            case OFF -> Integer.MAX_VALUE;
        };
    }
}
