package dev.wasmerffm.extism;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * A plugin's variables ({@code var_get}/{@code var_set}): kept by the host across calls (and across the plugin's
 * store being replaced after a trap), bounded by the UTF-8 bytes of keys and values together, as Extism bounds them
 * with {@code max_var_bytes} (default 1 MiB; 0 disables variables).
 */
final class Vars {

    private final long maxBytes;
    private final Map<String, byte[]> values = new HashMap<>();
    private long bytes;

    Vars(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    byte[] get(String key) {
        return values.get(key);
    }

    /** Sets {@code key}, or removes it for a null value. */
    void put(String key, byte[] value) {
        if (value == null) {
            byte[] old = values.remove(key);
            if (old != null) {
                bytes -= size(key, old);
            }
            return;
        }
        if (maxBytes == 0) {
            throw new PluginException("variables are disabled by this host (max var bytes 0)");
        }
        byte[] old = values.get(key);
        long after = bytes - (old == null ? 0 : size(key, old)) + size(key, value);
        if (after > maxBytes) {
            throw new PluginException("the variable store is full: setting " + key + " would take it to " + after
                    + " bytes, over its maximum of " + maxBytes);
        }
        values.put(key, value);
        bytes = after;
    }

    /** The bytes held, keys and values. */
    long bytes() {
        return bytes;
    }

    private static long size(String key, byte[] value) {
        return key.getBytes(StandardCharsets.UTF_8).length + (long) value.length;
    }
}
