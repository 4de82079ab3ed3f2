package dev.wasmerffm.extism;

/**
 * A host function a plugin imports (from {@code extism:host/user}, or another namespace). It reads its arguments
 * and sets its results through {@link PluginCall#host()}; by the PDKs' convention strings and bytes travel as
 * offsets into the kernel's memory, which {@link PluginCall#read(long)} and {@link PluginCall#write(byte[])} turn
 * into Java values. What it throws ends the plugin call with a trap whose cause is the throwable.
 */
@FunctionalInterface
public interface PluginFunction {

    /** Runs the function for one call from the plugin. */
    void call(PluginCall call) throws Exception;
}
