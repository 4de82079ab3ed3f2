package dev.wasmerffm.internal;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/** The one place downcall handles are made: every generated {@code Lib*} class of {@code raw} links through here. */
public final class Native {

    /** The platform linker. */
    public static final Linker LINKER = Linker.nativeLinker();

    private Native() {}

    /**
     * Links a libwasmer function. A symbol this library does not export (e.g. a {@code WASMER_DIR} build without a
     * cargo feature) links to a handle that throws {@link UnsupportedOperationException} naming it, so one missing
     * optional function does not stop the rest of the binding from loading.
     */
    public static MethodHandle downcall(String name, FunctionDescriptor descriptor, boolean critical) {
        return Loader.lookup()
                .find(name)
                .map(address -> critical
                        ? LINKER.downcallHandle(address, descriptor, Linker.Option.critical(false))
                        : LINKER.downcallHandle(address, descriptor))
                .orElseGet(() -> missing(name, descriptor.toMethodType()));
    }

    public static MethodHandle downcall(String name, FunctionDescriptor descriptor) {
        return downcall(name, descriptor, false);
    }

    private static MethodHandle missing(String name, MethodType type) {
        MethodHandle thrower = MethodHandles.throwException(type.returnType(), UnsupportedOperationException.class);
        MethodHandle withException = MethodHandles.foldArguments(
                thrower,
                MethodHandles.constant(
                        UnsupportedOperationException.class,
                        new UnsupportedOperationException(
                                name + " is not exported by the libwasmer at " + Loader.load())));
        return MethodHandles.dropArguments(withException, 0, type.parameterList());
    }

    /** Rethrows what a downcall threw: only unchecked throwables can come out of an exact native call. */
    public static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) {
            throw r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        throw new IllegalStateException(t);
    }

    /** Reads a NUL-terminated C string that libwasmer owns (never freed here). */
    public static String cString(MemorySegment address) {
        return address.equals(MemorySegment.NULL)
                ? null
                : address.reinterpret(Long.MAX_VALUE).getString(0);
    }
}
