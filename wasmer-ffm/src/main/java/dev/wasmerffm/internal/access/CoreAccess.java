package dev.wasmerffm.internal.access;

import dev.wasmerffm.ArtifactKey;
import dev.wasmerffm.Config;
import dev.wasmerffm.Engine;
import dev.wasmerffm.Func;
import dev.wasmerffm.FuncType;
import dev.wasmerffm.Instance;
import dev.wasmerffm.Memory;
import dev.wasmerffm.Module;
import dev.wasmerffm.Store;
import dev.wasmerffm.TrapException;
import dev.wasmerffm.internal.store.Lifetime;
import dev.wasmerffm.internal.store.NativeResource;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.function.Function;

/**
 * What the binding's own packages ({@code wasi}, {@code cache}) may do with the object model's state, and nothing a
 * user may: the one door into {@code dev.wasmerffm}'s package-private members, as the JDK's {@code JavaLangAccess}.
 * Each method has the contract of the member it forwards to.
 */
public interface CoreAccess {

    /** Locks {@code store} for a native call and returns its {@code wasm_store_t*} ({@code Store.enter}). */
    MemorySegment enter(Store store);

    /** Unlocks what {@link #enter} locked. */
    void exit(Store store);

    /** The handles {@code store} frees when it closes. */
    NativeResource.Handles handles(Store store);

    /** Memory that lives as long as {@code store}. */
    Arena storeArena(Store store);

    /** Gives a handle back to {@code store} (freed now, or when its running call returns). */
    void release(Store store, NativeResource.Handle handle);

    /** Counts a WASI environment against the store's cap; caller holds the store lock. */
    void countWasiEnvironment(Store store);

    /** The store's placeholder instance WASI's C API wants before the real one exists. */
    Instance wasiPlaceholder(Store store);

    /** The checked-open {@code wasm_instance_t*}; caller holds the store lock. */
    MemorySegment pointer(Instance instance);

    /** Runs {@code operation} on the module's {@code wasm_module_t*}, kept alive meanwhile. */
    <T> T use(Module module, Function<MemorySegment, T> operation);

    /** A view of a function that {@code owner} owns (a WASI import), valid while it is open. */
    Func view(Store store, MemorySegment func, Lifetime owner, String name, FuncType type);

    /** A function made from Java whose handle the store owns. */
    Func owned(Store store, MemorySegment func, String name, FuncType type);

    /** The memory's data for a running host call, without the per-access open check. */
    MemorySegment unscoped(Memory memory);

    /** Whether the calling thread runs under an armed call deadline (a host function of such a call). */
    boolean underDeadline();

    /** The exit code a WASI {@code proc_exit} trap carries, or -1. */
    int wasiExitCode(TrapException trap);

    /** Loads a serialized module starting at {@code from} (after any header), expecting the module {@code identity}. */
    Module deserializeAt(Engine engine, byte[] serialized, int from, String identity);

    /** Seals {@code payload} under {@code key}, bound to {@code context}. */
    byte[] seal(ArtifactKey key, byte[] context, byte[] payload);

    /** Checks a sealed artifact's MAC under {@code key}; returns where its payload starts. */
    int verify(ArtifactKey key, byte[] sealed, byte[] context);

    /** The facts of {@code config} that compiled code depends on (part of a cache key). */
    String compiledCodeFacts(Config config);
}
