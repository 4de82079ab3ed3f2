package dev.wasmerffm.extism;

import dev.wasmerffm.WasmerException;

/**
 * A plugin reported a failure: its function set an error ({@code error_set}) or returned a non-zero code, or it
 * asked the host for something refused (an HTTP request to a host not allowed, a full variable store, an invalid
 * memory offset). Traps, exhausted points and deadlines keep their own types ({@link dev.wasmerffm.TrapException}
 * and its subclasses); a refusal by a host function reaches the caller as the cause of the trap that ends the call.
 */
public class PluginException extends WasmerException {

    private final String function;
    private final int returnCode;
    private final String pluginMessage;

    /** A failure of {@code function}: its return code (0 when it returned none) and message. */
    public PluginException(String function, int returnCode, String pluginMessage) {
        super("plugin function " + function + " failed" + (returnCode == 0 ? "" : " with return code " + returnCode)
                + ": " + pluginMessage);
        this.function = function;
        this.returnCode = returnCode;
        this.pluginMessage = pluginMessage;
    }

    /** A refusal by the host, not tied to a return code. */
    public PluginException(String message) {
        super(message);
        this.function = null;
        this.returnCode = 0;
        this.pluginMessage = message;
    }

    /** The function called, or null for a refusal by a host function. */
    public String function() {
        return function;
    }

    /** What the plugin's function returned (0 when it set an error and returned 0). */
    public int returnCode() {
        return returnCode;
    }

    /** The message itself: the plugin's error text, or the host's reason. */
    public String pluginMessage() {
        return pluginMessage;
    }
}
