package dev.wasmerffm.internal.call;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.wasmerffm.ReentryLimitException;
import dev.wasmerffm.internal.Native;
import dev.wasmerffm.internal.NativeJar;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Refuses to enter wasm with too little stack left. A host function runs on the calling thread's stack, below
 * libwasmer's frames, and a {@link StackOverflowError} raised in an upcall's own frames (before any catch of ours)
 * ends the JVM; so the stack must be checked before the downcall, where running out is still an exception.
 *
 * <p>Java cannot read its stack pointer. A two-instruction function made at startup in a page of its own (written,
 * then made read+execute, never both) returns it for about 2 ns, which a second native library would cost a build
 * and a jar for; the thread's stack bounds come from {@code pthread_getattr_np} once per thread. Where neither is
 * available (not Linux on x86_64 or aarch64, or executable pages refused) the check is off, and the re-entry bound
 * of host functions ({@link ReentryLimitException}) is the only guard.
 */
public final class StackGuard {

    /**
     * Stack a call needs above the bottom of the thread's stack: the JVM's guard zones (red, yellow, reserved) and
     * the shadow zone every Java frame bangs below itself (about 96 KiB together on Linux x86_64 with 4 KiB pages),
     * plus libwasmer's frames between the call and an upcall. Measured: Java recursion calling wasm (which calls
     * Java) at every level ended the JVM with 96 KiB and never with 128 KiB (2 to 16 MiB thread stacks); this keeps
     * 64 KiB above that.
     */
    public static final long NEEDED = 192 * 1024;

    private static final MethodHandle STACK_POINTER;
    private static final MethodHandle PTHREAD_SELF;
    private static final MethodHandle GETATTR;
    private static final MethodHandle GETSTACK;
    private static final MethodHandle ATTR_DESTROY;
    /** The lowest usable address of each native thread's stack, by pthread id. */
    private static final Map<Long, Long> LOW = new ConcurrentHashMap<>();

    static {
        MethodHandle sp = null;
        MethodHandle self = null;
        MethodHandle getattr = null;
        MethodHandle getstack = null;
        MethodHandle destroy = null;
        try {
            Linker linker = Native.LINKER;
            SymbolLookup libc = linker.defaultLookup();
            if (System.getProperty("os.name").toLowerCase(Locale.ROOT).startsWith("linux")) {
                self = linker.downcallHandle(
                        libc.find("pthread_self").orElseThrow(),
                        FunctionDescriptor.of(JAVA_LONG),
                        Linker.Option.critical(false));
                getattr = linker.downcallHandle(
                        libc.find("pthread_getattr_np").orElseThrow(),
                        FunctionDescriptor.of(JAVA_INT, JAVA_LONG, ADDRESS));
                getstack = linker.downcallHandle(
                        libc.find("pthread_attr_getstack").orElseThrow(),
                        FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS));
                destroy = linker.downcallHandle(
                        libc.find("pthread_attr_destroy").orElseThrow(), FunctionDescriptor.of(JAVA_INT, ADDRESS));
                sp = stackPointerFunction(linker, libc);
            }
        } catch (Throwable e) {
            sp = null; // no check rather than no binding
        }
        STACK_POINTER = sp;
        PTHREAD_SELF = self;
        GETATTR = getattr;
        GETSTACK = getstack;
        ATTR_DESTROY = destroy;
    }

    private StackGuard() {}

    /**
     * {@code mov rax, rsp; ret} or {@code mov x0, sp; ret}; null for another architecture. The aarch64 bytes are run
     * under qemu-aarch64 by Aarch64CrossJarTest.
     */
    static byte[] stackPointerCode(String arch) {
        return switch (arch) {
            case "x86_64" -> new byte[] {0x48, (byte) 0x89, (byte) 0xE0, (byte) 0xC3};
            case "aarch64" -> new byte[] {(byte) 0xE0, 0x03, 0x00, (byte) 0x91, (byte) 0xC0, 0x03, 0x5F, (byte) 0xD6};
            default -> null;
        };
    }

    /** {@link #stackPointerCode} in a fresh executable page; null if refused. */
    private static MethodHandle stackPointerFunction(Linker linker, SymbolLookup libc) throws Throwable {
        byte[] code = stackPointerCode(NativeJar.hostArch());
        if (code == null) {
            return null;
        }
        MethodHandle mmap = linker.downcallHandle(
                libc.find("mmap").orElseThrow(),
                FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG));
        MethodHandle mprotect = linker.downcallHandle(
                libc.find("mprotect").orElseThrow(), FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
        long size = 4096;
        // PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS (Linux values)
        MemorySegment page = (MemorySegment) mmap.invokeExact(MemorySegment.NULL, size, 3, 0x22, -1, 0L);
        if (page.address() == -1L || page.equals(MemorySegment.NULL)) {
            return null;
        }
        page.reinterpret(size).copyFrom(MemorySegment.ofArray(code));
        if ((int) mprotect.invokeExact(page, size, 5) != 0) { // PROT_READ | PROT_EXEC
            return null;
        }
        if (code.length == 8) {
            // aarch64: the instruction cache does not see data writes by itself
            MethodHandle clear = linker.downcallHandle(
                    libc.find("__clear_cache").orElseThrow(), FunctionDescriptor.ofVoid(ADDRESS, ADDRESS));
            clear.invokeExact(page, page.reinterpret(size).asSlice(code.length));
        }
        return linker.downcallHandle(page, FunctionDescriptor.of(JAVA_LONG), Linker.Option.critical(false));
    }

    /** The lowest stack pointer a call may start from on this thread; 0 when the check is off. */
    public static long limit() {
        if (STACK_POINTER == null) {
            return 0;
        }
        try {
            long self = (long) PTHREAD_SELF.invokeExact();
            Long low = LOW.get(self);
            if (low == null) {
                low = lowestAddress(self);
                LOW.put(self, low);
            }
            return low == 0 ? 0 : low + NEEDED;
        } catch (Throwable e) {
            return 0;
        }
    }

    private static long lowestAddress(long thread) throws Throwable {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment attr = arena.allocate(128, 16); // pthread_attr_t is 56 or 64 bytes
            if ((int) GETATTR.invokeExact(thread, attr) != 0) {
                return 0;
            }
            try {
                MemorySegment addr = arena.allocate(ADDRESS);
                MemorySegment size = arena.allocate(JAVA_LONG);
                return (int) GETSTACK.invokeExact(attr, addr, size) == 0
                        ? addr.get(ADDRESS, 0).address()
                        : 0;
            } finally {
                int ignored = (int) ATTR_DESTROY.invokeExact(attr);
            }
        }
    }

    /**
     * Why entering wasm here could overflow the stack, or null if the stack pointer is at or above {@code limit}
     * (0: no check). The caller throws.
     */
    public static String shortfall(long limit) {
        if (limit == 0) {
            return null;
        }
        long sp;
        try {
            sp = (long) STACK_POINTER.invokeExact();
        } catch (Throwable e) {
            return null;
        }
        if (sp < limit) {
            return ("only " + Math.max(0, sp - (limit - NEEDED)) / 1024 + " KiB of stack"
                    + " left on " + Thread.currentThread() + ", entering wasm needs " + NEEDED / 1024 + " KiB: a"
                    + " host function called from here could overflow the stack where the JVM cannot recover."
                    + " Call from a shallower stack, or run the work on a thread with a larger stack.");
        }
        return null;
    }
}
