/**
 * The Java binding of libwasmer.
 *
 * <p>Exported: {@code dev.wasmerffm} (the store-owned object model, its types, values, traps and errors, every entry
 * checked against libwasmer's panic preconditions), {@code dev.wasmerffm.wasi} (WASI environments),
 * {@code dev.wasmerffm.cache} (compiled-module caches) and {@code dev.wasmerffm.pool} (a module registry and instance
 * pool on the public API; its nullness declared with JSpecify, needed only to compile against) and
 * {@code dev.wasmerffm.extism} (Extism plugins, on the public API). Not exported: the
 * generated {@code dev.wasmerffm.raw} layer (one method per C function; its calls can abort the JVM) and
 * {@code dev.wasmerffm.internal.*} (the loader, the store's native bookkeeping, the wasm reader, the stack guard, and
 * the access bridge through which {@code wasi} and {@code cache} reach the object model's state). Grant native access
 * to this module only: {@code --enable-native-access=dev.wasmerffm}.
 */
module dev.wasmerffm {
    requires com.dylibso.chicory.wasm;
    requires jdk.management;
    requires static org.jspecify;
    requires java.net.http; // dev.wasmerffm.extism: a plugin's http_request

    exports dev.wasmerffm;
    exports dev.wasmerffm.wasi;
    exports dev.wasmerffm.cache;
    exports dev.wasmerffm.pool;
    exports dev.wasmerffm.extism;
}
