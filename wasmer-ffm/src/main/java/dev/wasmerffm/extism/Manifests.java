package dev.wasmerffm.extism;

import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/** Reads an Extism manifest (JSON) into a {@link Plugin.Builder}, field by field as Extism's runtime reads it. */
final class Manifests {

    private Manifests() {}

    static void apply(String json, Path baseDir, Plugin.Builder b) {
        Map<?, ?> m;
        try {
            m = Json.parse(json) instanceof Map<?, ?> o ? o : null;
        } catch (Json.Malformed e) {
            throw new PluginException("Extism manifest: " + e.getMessage());
        }
        if (m == null) {
            throw new PluginException("Extism manifest: not a JSON object");
        }
        for (Object key : m.keySet()) {
            if (!List.of("wasm", "memory", "config", "allowed_hosts", "allowed_paths", "timeout_ms")
                    .contains(key)) {
                throw new PluginException("Extism manifest: unknown field \"" + key + "\"");
            }
        }
        wasm(list(m.get("wasm"), "wasm"), baseDir, b);
        if (m.get("memory") != null) {
            Map<?, ?> mem = map(m.get("memory"), "memory");
            if (mem.get("max_pages") != null) {
                b.maxMemoryPages(number(mem.get("max_pages"), "memory.max_pages"));
            }
            if (mem.get("max_var_bytes") != null) {
                b.maxVarBytes(number(mem.get("max_var_bytes"), "memory.max_var_bytes"));
            }
            if (mem.get("max_http_response_bytes") != null) {
                b.maxHttpResponseBytes(number(mem.get("max_http_response_bytes"), "memory.max_http_response_bytes"));
            }
        }
        if (m.get("config") != null) {
            map(m.get("config"), "config").forEach((k, v) -> b.config((String) k, string(v, "config." + k)));
        }
        if (m.get("allowed_hosts") != null) {
            for (Object h : list(m.get("allowed_hosts"), "allowed_hosts")) {
                b.allowedHost(string(h, "allowed_hosts[]"));
            }
        }
        if (m.get("allowed_paths") != null) {
            map(m.get("allowed_paths"), "allowed_paths").forEach((host, guest) -> {
                String h = (String) host;
                if (h.startsWith("ro:")) {
                    throw new PluginException("Extism manifest: allowed_paths \"" + h + "\": read-only directories"
                            + " (ro:) are not supported, libwasmer's WASI maps directories read-write");
                }
                b.allowedPath(baseDir.resolve(h), string(guest, "allowed_paths." + h));
            });
        }
        if (m.get("timeout_ms") != null) {
            b.timeout(Duration.ofMillis(number(m.get("timeout_ms"), "timeout_ms")));
        }
    }

    private static void wasm(List<?> wasm, Path baseDir, Plugin.Builder b) {
        if (wasm.size() != 1) {
            throw new PluginException("Extism manifest: wasm must list one module, it lists " + wasm.size()
                    + " (linking several modules is not supported)");
        }
        Map<?, ?> w = map(wasm.getFirst(), "wasm[0]");
        byte[] bytes;
        if (w.get("path") != null) {
            Path p = baseDir.resolve(string(w.get("path"), "wasm[0].path"));
            try {
                b.wasm(p);
            } catch (UncheckedIOException e) {
                throw new PluginException("Extism manifest: cannot read wasm[0].path " + p + ": " + e.getCause());
            }
            bytes = b.wasm;
        } else if (w.get("data") != null) {
            try {
                bytes = Base64.getDecoder().decode(string(w.get("data"), "wasm[0].data"));
            } catch (IllegalArgumentException e) {
                throw new PluginException("Extism manifest: wasm[0].data is not base64: " + e.getMessage());
            }
            b.wasm(bytes);
        } else if (w.get("url") != null) {
            throw new PluginException("Extism manifest: wasm[0].url is not supported (this host downloads nothing):"
                    + " give a path or data");
        } else {
            throw new PluginException("Extism manifest: wasm[0] has no path or data");
        }
        if (w.get("name") != null) {
            b.name(string(w.get("name"), "wasm[0].name"));
        }
        if (w.get("hash") != null) {
            String want = string(w.get("hash"), "wasm[0].hash");
            String got = sha256(bytes);
            if (!got.equalsIgnoreCase(want)) {
                throw new PluginException("Extism manifest: hash mismatch, found " + got + " but expected " + want);
            }
        }
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e); // every JDK has SHA-256
        }
    }

    private static Map<?, ?> map(Object o, String field) {
        if (o instanceof Map<?, ?> m) {
            return m;
        }
        throw new PluginException("Extism manifest: " + field + " must be an object");
    }

    private static List<?> list(Object o, String field) {
        if (o instanceof List<?> l) {
            return l;
        }
        throw new PluginException("Extism manifest: " + field + " must be an array");
    }

    private static String string(Object o, String field) {
        if (o instanceof String s) {
            return s;
        }
        throw new PluginException("Extism manifest: " + field + " must be a string");
    }

    private static long number(Object o, String field) {
        try {
            if (o instanceof BigDecimal d && d.signum() >= 0) {
                return d.longValueExact();
            }
        } catch (ArithmeticException e) {
            // not a whole number that fits: refused below
        }
        throw new PluginException("Extism manifest: " + field + " must be a whole number >= 0, got " + o);
    }
}
