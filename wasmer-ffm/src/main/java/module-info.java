/**
 * The Java binding of libwasmer.
 *
 * <p>{@code dev.wasmerffm} is exported: the store-owned object model whose every entry is checked against
 * libwasmer's panic preconditions; so is {@code dev.wasmerffm.pool}, the module registry and instance pool built on
 * it (its nullness declared with JSpecify, needed only to compile against). The generated {@code dev.wasmerffm.raw}
 * layer (one method per C function) is not exported, because its calls can abort the JVM;
 * {@code dev.wasmerffm.internal} holds the loader and the one place downcall handles are linked. Grant native access
 * to this module only: {@code --enable-native-access=dev.wasmerffm}.
 */
module dev.wasmerffm {
    requires com.dylibso.chicory.wasm;
    requires static org.jspecify;

    exports dev.wasmerffm;
    exports dev.wasmerffm.pool;
}
