package dev.wasmerffm.wasi;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

import dev.wasmerffm.Func;
import dev.wasmerffm.FuncType;
import dev.wasmerffm.HostCall;
import dev.wasmerffm.Store;
import dev.wasmerffm.ValType;
import dev.wasmerffm.internal.access.Access;
import dev.wasmerffm.internal.access.CoreAccess;
import java.io.ByteArrayOutputStream;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.IntUnaryOperator;

/**
 * Descriptors 0-2 of one WASI environment served from Java: captured stdout and stderr, stdin from the config.
 * libwasmer's C API always inherits the JVM's stdin, so its own 0-2 must never be reached by a guest.
 */
final class WasiStdio {

    private static final CoreAccess CORE = Access.core();

    /** WASI's errno values for a bad descriptor, a bad address, and an unsupported operation. */
    private static final int ERRNO_BADF = 8;

    private static final int ERRNO_FAULT = 21;
    private static final int ERRNO_NOTSUP = 58;
    /** The most one fd_read or fd_write moves: its count is a u32. */
    private static final long MAX_TRANSFER = 0xFFFF_FFFFL;
    /** An fd_read event's flag: the peer hung up (stdin is used up). */
    private static final short EVENT_HANGUP = 1;
    /** What a call that would block in libwasmer, where no deadline reaches, says when refused under one. */
    private static final String STDIN_UNDER_DEADLINE = "reading the JVM's stdin (WasiConfig.inheritStdin()) blocks in"
            + " libwasmer, where the call's deadline cannot stop it, so it is refused under a deadline: give the"
            + " guest its input with WasiConfig.stdin(bytes), or call without a deadline";

    private static final String CLOCK_UNDER_DEADLINE = "poll_oneoff on an absolute time or a CPU-time clock sleeps in"
            + " libwasmer, where the call's deadline cannot stop it, so it is refused under a deadline";
    /** WASI (and WASIX) calls that move, copy or read a descriptor out of order. */
    private static final Set<String> STDIO_MOVES = Set.of("fd_renumber", "fd_dup", "fd_dup2", "fd_pread", "fd_pwrite");

    private static final FuncType FD_RW =
            FuncType.of(List.of(ValType.I32, ValType.I32, ValType.I32, ValType.I32), List.of(ValType.I32));

    private final Store store;
    private final WasiConfig config;
    private final Output stdout;
    private final Output stderr;
    private int stdinPosition;
    /** Which served stdio descriptors the guest closed. */
    private final boolean[] stdioClosed = new boolean[3];
    /** The stream (0-2) a guest descriptor is, or -1: its own number, unless the descriptor layer moved them. */
    private IntUnaryOperator streams = fd -> fd >= 0 && fd < 3 ? fd : -1;

    WasiStdio(Store store, WasiConfig config) {
        this.store = store;
        this.config = config;
        this.stdout = new Output(config.maxOutput());
        this.stderr = new Output(config.maxOutput());
    }

    /** Bounded capture of one output stream. */
    private static final class Output {
        final int max;
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        boolean truncated;

        Output(int max) {
            this.max = max;
        }

        long room() {
            return max - bytes.size();
        }

        void write(MemorySegment data) {
            long room = room();
            int n = (int) Math.min(room, data.byteSize());
            if (n < data.byteSize()) {
                truncated = true;
            }
            bytes.write(data.asSlice(0, n).toArray(JAVA_BYTE), 0, n);
        }
    }

    /** Lets the descriptor layer say which stream a guest descriptor is (after fd_renumber moved one). */
    void streams(IntUnaryOperator streams) {
        this.streams = streams;
    }

    /** Whether descriptor {@code fd} is one this environment serves (a stream not inherited from the JVM). */
    boolean served(int fd) {
        int stream = streams.applyAsInt(fd);
        return stream == 0
                ? !config.inheritsStdin()
                : stream == 1 ? !config.inheritsStdout() : stream == 2 && !config.inheritsStderr();
    }

    byte[] stdout() {
        return stdout.bytes.toByteArray();
    }

    byte[] stderr() {
        return stderr.bytes.toByteArray();
    }

    /** Back to how it started: outputs empty, not truncated, stdin unread (a pooled instance's next lease). */
    void reset() {
        stdout.bytes.reset();
        stderr.bytes.reset();
        stdout.truncated = false;
        stderr.truncated = false;
        stdinPosition = 0;
    }

    /** Whether either output went past {@link WasiConfig#maxOutput()}. */
    boolean truncated() {
        return stdout.truncated || stderr.truncated;
    }

    /**
     * The stdio descriptors from Java, everything else by libwasmer's original. libwasmer's own 0-2 are the JVM's
     * (its C API always inherits stdin), so a guest must never reach them: fd_read/fd_write of a served descriptor
     * use this environment's buffers, fd_close only marks it closed, and anything that would move or copy it
     * (renumber, dup) or read it out of order (pread, pwrite) is refused with ENOTSUP, and poll_oneoff answers
     * for them ({@link #poll}; inside the descriptor translation when {@code translated}).
     */
    Func wrap(String module, String name, FuncType type, Func original, boolean translated) {
        boolean write = name.equals("fd_write") && !(config.inheritsStdout() && config.inheritsStderr());
        boolean read = name.equals("fd_read"); // the JVM's stdin too: refused under a deadline
        if (STDIO_MOVES.contains(name) || name.equals("fd_close")) {
            return guard(name, type, original, translated);
        }
        if (name.equals("poll_oneoff") && type.equals(FD_RW) && !translated) {
            return Func.host(store, type, c -> {
                Object[] answered = poll(c, module.equals("wasi_unstable") ? 56 : 48);
                c.results(answered != null ? answered : original.call(c.params()));
            });
        }
        if (!type.equals(FD_RW) || !(write || read)) {
            return original;
        }
        return Func.host(store, type, c -> {
            int fd = c.i32(0);
            if (!served(fd)) {
                if (read && jvmStdin(fd)) {
                    refuseUnderDeadline(STDIN_UNDER_DEADLINE);
                }
                c.results(original.call(c.params()));
                return;
            }
            fd = streams.applyAsInt(fd);
            if (stdioClosed[fd] || (write ? fd == 0 : fd != 0)) {
                c.result(0, ERRNO_BADF);
                return;
            }
            MemorySegment mem = CORE.unscoped(c.memory()); // the store cannot be freed during this call
            c.result(0, transfer(mem, write ? (fd == 1 ? stdout : stderr) : null, c.i32(1), c.i32(2), c.i32(3)));
        });
    }

    /**
     * Moves the bytes of {@code count} iovecs at {@code iovs} to {@code out} (null: from stdin into them), stores the
     * count at {@code countAt} and returns the errno. As writev: an iovec or the count outside memory is EFAULT with
     * nothing moved; the count is a u32, so a transfer stops short at 4 GiB - 1 bytes (the guest's libc writes the
     * rest in the next call).
     */
    private int transfer(MemorySegment mem, Output out, int iovs, int count, int countAt) {
        long at = Integer.toUnsignedLong(iovs);
        long n = Integer.toUnsignedLong(count);
        long size = mem.byteSize();
        if (at + 8 * n > size || Integer.toUnsignedLong(countAt) + 4 > size) {
            return ERRNO_FAULT;
        }
        for (long i = 0; i < n; i++) {
            long buf = Integer.toUnsignedLong(mem.get(JAVA_INT_UNALIGNED, at + 8 * i));
            if (buf + Integer.toUnsignedLong(mem.get(JAVA_INT_UNALIGNED, at + 8 * i + 4)) > size) {
                return ERRNO_FAULT; // an iovec outside memory is the guest's error, as libwasmer reports it
            }
        }
        byte[] in = config.stdin();
        long total = 0;
        for (long i = 0; i < n && total < MAX_TRANSFER; i++) {
            long buf = Integer.toUnsignedLong(mem.get(JAVA_INT_UNALIGNED, at + 8 * i));
            long len =
                    Math.min(Integer.toUnsignedLong(mem.get(JAVA_INT_UNALIGNED, at + 8 * i + 4)), MAX_TRANSFER - total);
            if (out != null) {
                out.write(mem.asSlice(buf, len));
                total += len;
            } else {
                int moved = (int) Math.min(len, in.length - stdinPosition);
                MemorySegment.copy(in, stdinPosition, mem, JAVA_BYTE, buf, moved);
                stdinPosition += moved;
                total += moved;
            }
        }
        mem.set(JAVA_INT_UNALIGNED, Integer.toUnsignedLong(countAt), (int) total); // a u32: at most MAX_TRANSFER
        return 0; // errno success
    }

    /**
     * fd_close and the calls that move or copy a descriptor, refused or emulated for the served ones; closing and
     * renumbering are the descriptor layer's when it {@code translated} them (it moves and forgets table entries).
     */
    private Func guard(String name, FuncType type, Func original, boolean translated) {
        boolean close = name.equals("fd_close");
        boolean renumber = name.equals("fd_renumber");
        if (translated && (close || renumber)
                || type.params().isEmpty()
                || type.params().getFirst() != ValType.I32
                || type.results().size() != 1
                || type.results().getFirst() != ValType.I32
                || renumber && type.params().size() < 2) {
            return original;
        }
        return Func.host(store, type, c -> {
            int fd = c.i32(0);
            boolean touches = served(fd) || renumber && served(c.i32(1));
            if (!touches) {
                c.results(original.call(c.params()));
            } else if (close) {
                c.result(0, stdioClosed[fd] ? ERRNO_BADF : 0);
                stdioClosed[fd] = true; // the native descriptor stays, so no later open can take its number
            } else {
                c.result(0, ERRNO_NOTSUP);
            }
        });
    }

    /**
     * poll_oneoff, where it must not reach libwasmer: null when libwasmer may answer. Called with the guest's own
     * call, whose memory it reads (the descriptor translation calls it first, with the guest's numbers).
     * Subscriptions are {@code subscriptionSize} bytes (preview 0's clock is 8 bytes longer); an event is 32:
     * userdata, errno at 8, type at 10, nbytes at 16, flags at 24.
     */
    Object[] poll(HostCall c, int subscriptionSize) throws InterruptedException {
        MemorySegment mem = CORE.unscoped(c.memory()); // the store cannot be freed during this call
        long in = Integer.toUnsignedLong(c.i32(0));
        long events = Integer.toUnsignedLong(c.i32(1));
        long n = Integer.toUnsignedLong(c.i32(2));
        long count = Integer.toUnsignedLong(c.i32(3));
        try {
            Object[] served = pollServed(mem, in, events, n, subscriptionSize, count);
            return served != null ? served : pollBlocking(mem, in, events, n, subscriptionSize, count);
        } catch (IndexOutOfBoundsException e) {
            return new Object[] {ERRNO_FAULT};
        }
    }

    /**
     * When a subscription names a served descriptor: those are always ready (stdin holds what is left of the
     * config's bytes, or hangs up; the outputs take what fits), so their events are returned at once, as poll may
     * return any ready subset, and libwasmer, whose 0-2 are the JVM's, is not asked.
     */
    private Object[] pollServed(MemorySegment mem, long in, long events, long n, int size, long count) {
        if (config.inheritsStdin() && config.inheritsStdout() && config.inheritsStderr()) {
            return null;
        }
        int ready = 0;
        for (long i = 0; i < n; i++) {
            long at = in + i * size;
            byte tag = mem.get(JAVA_BYTE, at + 8);
            int fd = mem.get(JAVA_INT_UNALIGNED, at + 16);
            if ((tag != 1 && tag != 2) || !served(fd)) {
                continue; // a clock, or a descriptor that is not served
            }
            fd = streams.applyAsInt(fd);
            boolean read = tag == 1;
            long e = events + 32L * ready++;
            long left = read ? config.stdin().length - stdinPosition : fd == 0 ? 0 : (fd == 1 ? stdout : stderr).room();
            boolean bad = stdioClosed[fd] || (read ? fd != 0 : fd == 0);
            mem.set(JAVA_LONG_UNALIGNED, e, mem.get(JAVA_LONG_UNALIGNED, at)); // userdata
            mem.set(JAVA_SHORT_UNALIGNED, e + 8, (short) (bad ? ERRNO_BADF : 0));
            mem.set(JAVA_BYTE, e + 10, tag);
            mem.set(JAVA_LONG_UNALIGNED, e + 16, bad ? 0 : left);
            mem.set(JAVA_SHORT_UNALIGNED, e + 24, (short) (read && !bad && left == 0 ? EVENT_HANGUP : 0));
        }
        if (ready == 0) {
            return null;
        }
        mem.set(JAVA_INT_UNALIGNED, count, ready);
        return new Object[] {0};
    }

    /**
     * When the poll would block in libwasmer, where no deadline reaches. A sleep on relative realtime or monotonic
     * clocks only (how guest libraries sleep) waits here, interruptibly, so a deadline's watchdog stops it; under a
     * deadline, polling the JVM's stdin or sleeping on another clock or until an absolute time is refused. Other
     * descriptors (files) are always ready: libwasmer answers.
     */
    private Object[] pollBlocking(MemorySegment mem, long in, long events, long n, int size, long count)
            throws InterruptedException {
        int clock = size == 56 ? 24 : 16; // a clock's id; its timeout is 8 bytes after, its flags 24
        long shortest = -1; // unsigned nanoseconds
        boolean clocksOnly = n > 0;
        boolean relative = true;
        for (long i = 0; i < n; i++) {
            long at = in + i * size;
            byte tag = mem.get(JAVA_BYTE, at + 8);
            if (tag != 0) {
                clocksOnly = false;
                if (tag == 1 && jvmStdin(mem.get(JAVA_INT_UNALIGNED, at + 16))) {
                    refuseUnderDeadline(STDIN_UNDER_DEADLINE);
                }
                continue;
            }
            int id = mem.get(JAVA_INT_UNALIGNED, at + clock);
            relative &= (id == 0 || id == 1) && (mem.get(JAVA_SHORT_UNALIGNED, at + clock + 24) & 1) == 0;
            long timeout = mem.get(JAVA_LONG_UNALIGNED, at + clock + 8);
            if (Long.compareUnsigned(timeout, shortest) < 0) {
                shortest = timeout;
            }
        }
        if (!clocksOnly) {
            return null;
        }
        if (!relative) {
            refuseUnderDeadline(CLOCK_UNDER_DEADLINE);
            return null;
        }
        mem.asSlice(events, 32 * n); // a FAULT before the sleep, not after
        long start = System.nanoTime();
        TimeUnit.NANOSECONDS.sleep(shortest < 0 ? Long.MAX_VALUE : shortest);
        long slept = System.nanoTime() - start;
        int ready = 0;
        for (long i = 0; i < n; i++) {
            long at = in + i * size;
            long timeout = mem.get(JAVA_LONG_UNALIGNED, at + clock + 8);
            if (timeout == shortest || Long.compareUnsigned(timeout, slept) <= 0) {
                long e = events + 32L * ready++;
                mem.asSlice(e, 32).fill((byte) 0); // errno 0, type 0 (clock), no descriptor fields
                mem.set(JAVA_LONG_UNALIGNED, e, mem.get(JAVA_LONG_UNALIGNED, at)); // userdata
            }
        }
        mem.set(JAVA_INT_UNALIGNED, count, ready);
        return new Object[] {0};
    }

    /** Whether guest descriptor {@code fd} is the JVM's stdin (inherited, so libwasmer reads it). */
    private boolean jvmStdin(int fd) {
        return config.inheritsStdin() && streams.applyAsInt(fd) == 0;
    }

    /** Throws {@code reason} as an {@link UnsupportedOperationException} if the call runs under a deadline. */
    private static void refuseUnderDeadline(String reason) {
        if (CORE.underDeadline()) {
            throw new UnsupportedOperationException(reason);
        }
    }
}
