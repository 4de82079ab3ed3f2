package dev.wasmerffm;

import dev.wasmerffm.internal.access.CoreAccess;
import dev.wasmerffm.internal.store.Lifetime;
import dev.wasmerffm.internal.store.NativeResource;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.function.Function;

/** The object model's side of the access bridge: forwards to package-private members, adds nothing. */
final class CoreAccessImpl implements CoreAccess {

    @Override
    public MemorySegment enter(Store store) {
        return store.enter();
    }

    @Override
    public void exit(Store store) {
        store.exit();
    }

    @Override
    public NativeResource.Handles handles(Store store) {
        return store.state.handles;
    }

    @Override
    public Arena storeArena(Store store) {
        return store.state.late();
    }

    @Override
    public void release(Store store, NativeResource.Handle handle) {
        store.release(handle);
    }

    @Override
    public void countWasiEnvironment(Store store) {
        store.countWasiEnvironment();
    }

    @Override
    public Instance wasiPlaceholder(Store store) {
        return store.wasiPlaceholder();
    }

    @Override
    public MemorySegment pointer(Instance instance) {
        return instance.pointer();
    }

    @Override
    public <T> T use(Module module, Function<MemorySegment, T> operation) {
        return module.use(operation);
    }

    @Override
    public Func view(Store store, MemorySegment func, Lifetime owner, String name, FuncType type) {
        return new Func(store, func, owner, name, type);
    }

    @Override
    public Func owned(Store store, MemorySegment func, String name, FuncType type) {
        return Func.owned(store, func, name, type);
    }

    @Override
    public MemorySegment unscoped(Memory memory) {
        return memory.unscoped();
    }

    @Override
    public boolean underDeadline() {
        return CallThread.current().deadline != null;
    }

    @Override
    public int wasiExitCode(TrapException trap) {
        return TrapKind.wasiExitCode(trap);
    }

    @Override
    public Module deserializeAt(Engine engine, byte[] serialized, int from, String identity) {
        return Module.deserializeAt(engine, serialized, from, identity);
    }

    @Override
    public byte[] seal(ArtifactKey key, byte[] context, byte[] payload) {
        return key.seal(context, payload);
    }

    @Override
    public int verify(ArtifactKey key, byte[] sealed, byte[] context) {
        return key.verify(sealed, context);
    }

    @Override
    public String compiledCodeFacts(Config config) {
        return config.compiledCodeFacts();
    }
}
