package dev.wasmerffm.extism;

import dev.wasmerffm.HostCall;
import java.nio.charset.StandardCharsets;

/**
 * One call of a {@link PluginFunction}: its arguments and results ({@link #host()}), and the kernel's memory, where
 * the PDKs pass strings and bytes as offsets of blocks the kernel allocated. Valid only during the call.
 */
public final class PluginCall {

    private final HostCall host;
    private final PluginStore store;
    private final Plugin plugin;

    PluginCall(HostCall host, PluginStore store, Plugin plugin) {
        this.host = host;
        this.store = store;
        this.plugin = plugin;
    }

    /** The arguments and results, as for any host function. */
    public HostCall host() {
        return host;
    }

    /** The plugin calling. */
    public Plugin plugin() {
        return plugin;
    }

    /**
     * The block at {@code offset} of the kernel's memory (empty for offset 0).
     *
     * @throws PluginException if no block starts there
     */
    public byte[] read(long offset) {
        return store.read(offset);
    }

    /** {@link #read(long)} decoded as UTF-8. */
    public String readString(long offset) {
        return new String(read(offset), StandardCharsets.UTF_8);
    }

    /**
     * Copies {@code data} into a new block of the kernel's memory and returns its offset (0 for no bytes), for the
     * plugin to read; the kernel frees it when the next plugin call begins.
     *
     * @throws PluginException if the kernel's memory cannot hold it
     */
    public long write(byte[] data) {
        return store.write(data);
    }

    /** {@link #write(byte[])} of the string's UTF-8 bytes. */
    public long write(String text) {
        return write(text.getBytes(StandardCharsets.UTF_8));
    }

    /** The length of the block at {@code offset}, 0 if none starts there. */
    public long length(long offset) {
        return store.length(offset);
    }

    /** Frees the block at {@code offset} (nothing if none starts there). */
    public void free(long offset) {
        store.free(offset);
    }
}
