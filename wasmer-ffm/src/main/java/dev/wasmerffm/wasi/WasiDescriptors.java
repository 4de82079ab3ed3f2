package dev.wasmerffm.wasi;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

import dev.wasmerffm.Func;
import dev.wasmerffm.FuncType;
import dev.wasmerffm.HostCall;
import dev.wasmerffm.Store;
import dev.wasmerffm.ValType;
import dev.wasmerffm.internal.access.Access;
import dev.wasmerffm.internal.access.CoreAccess;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntUnaryOperator;

/**
 * The descriptors a WASI preview 1 guest sees, laid over libwasmer's.
 *
 * <p>libwasmer always puts a virtual root named "/" at descriptor 3, its configured directories after it, and
 * strips the leading slashes of an alias ({@code mapDir("/", dir)} is "" at 4). A guest looking for the preopen
 * named "/" gets the virtual root, where nothing can be created. So the guest is shown libwasmer's descriptor
 * {@code n > 3} as {@code n - 1}: the virtual root is hidden, the configured directories are descriptors 3, 4, ...
 * in configuration order under the names they were given, as WASI runtimes do. Stdio (0-2) keeps its numbers.
 *
 * <p>Where libwasmer's answers break guest libraries, WASI's are given: a directory's fdstat has no {@code FD_WRITE}
 * in its base rights (guest libraries pass them to open it again, and libwasmer refuses {@code FD_WRITE} on a
 * directory with ISDIR), fd_renumber closes its source, a closed descriptor stays closed, and a {@code sock_*}
 * call on a descriptor that is no socket answers NOTSOCK (libwasmer checks the right first and says ACCES; a
 * preview 1 guest here never has a socket).
 */
final class WasiDescriptors {

    private static final CoreAccess CORE = Access.core();

    private static final int ERRNO_ACCES = 2;
    private static final int ERRNO_BADF = 8;
    private static final int ERRNO_FAULT = 21;
    private static final int ERRNO_NOTSOCK = 57;
    private static final int ERRNO_NAMETOOLONG = 37;
    private static final byte FILETYPE_DIRECTORY = 3;
    private static final long RIGHTS_FD_WRITE = 1L << 6;
    /** libwasmer's virtual root, which the guest never sees. */
    private static final int VIRTUAL_ROOT = 3;

    /** The descriptor parameters of each preview 1 call (wasi_snapshot_preview1 and wasi_unstable alike). */
    private static final Map<String, int[]> FD_PARAMS = fdParams();

    private static Map<String, int[]> fdParams() {
        Map<String, int[]> m = new HashMap<>();
        for (String name : List.of(
                "fd_advise",
                "fd_allocate",
                "fd_close",
                "fd_datasync",
                "fd_fdstat_get",
                "fd_fdstat_set_flags",
                "fd_fdstat_set_rights",
                "fd_filestat_get",
                "fd_filestat_set_size",
                "fd_filestat_set_times",
                "fd_pread",
                "fd_prestat_get",
                "fd_prestat_dir_name",
                "fd_pwrite",
                "fd_read",
                "fd_readdir",
                "fd_seek",
                "fd_sync",
                "fd_tell",
                "fd_write",
                "path_create_directory",
                "path_filestat_get",
                "path_filestat_set_times",
                "path_open",
                "path_readlink",
                "path_remove_directory",
                "path_unlink_file",
                "sock_accept",
                "sock_recv",
                "sock_send",
                "sock_shutdown")) {
            m.put(name, new int[] {0});
        }
        m.put("fd_renumber", new int[] {0, 1});
        m.put("path_link", new int[] {0, 3});
        m.put("path_rename", new int[] {0, 3});
        m.put("path_symlink", new int[] {2});
        return Map.copyOf(m);
    }

    /** The name each configured directory's descriptor (libwasmer's number) is shown under. */
    private final Map<Integer, byte[]> preopenNames = new HashMap<>();
    /**
     * Descriptors (libwasmer's numbers) the guest closed but libwasmer keeps open: it skips closing a preopened
     * directory, or any descriptor of one (opened as "." from it).
     */
    private final Set<Integer> closed = new HashSet<>();
    /** libwasmer's originals, by name, for the calls that need another (fd_renumber closing its source). */
    private final Map<String, Func> originals = new HashMap<>();
    /** The stdio descriptors served from Java: certainly no socket, BADF once closed, polled from Java. */
    private final WasiStdio stdio;

    WasiDescriptors(WasiConfig config, WasiStdio stdio) {
        this.stdio = stdio;
        // libwasmer opens the preopened directories, then the mapped ones, each in the order given.
        int fd = VIRTUAL_ROOT + 1;
        for (Path dir : config.preopenDirs()) {
            preopenNames.put(fd++, dir.toString().getBytes(StandardCharsets.UTF_8));
        }
        for (String alias : config.mappedDirs().keySet()) {
            preopenNames.put(fd++, alias.getBytes(StandardCharsets.UTF_8));
        }
    }

    /** {@code original} with its descriptors translated, or itself when it takes none. */
    Func wrap(Store store, String module, String name, FuncType type, Func original) {
        int[] fds = FD_PARAMS.get(name);
        boolean poll = name.equals("poll_oneoff");
        if (fds == null && !poll
                || !type.results().equals(List.of(ValType.I32))
                || fds != null && fds[fds.length - 1] >= type.params().size()) {
            return original;
        }
        originals.put(name, original);
        // A subscription's descriptor is at offset 16; preview 1's clock subscription is 8 bytes shorter.
        int subscriptionSize = module.equals("wasi_unstable") ? 56 : 48;
        return Func.host(store, type, c -> {
            if (poll) {
                c.results(poll(c, original, subscriptionSize));
                return;
            }
            Object[] params = c.params();
            for (int i : fds) {
                int fd = (Integer) params[i];
                Integer refused = refusal(name, fd);
                if (refused != null) {
                    c.result(0, refused);
                    return;
                }
                params[i] = toNative(fd);
            }
            int nativeFd = (Integer) params[0];
            switch (name) {
                case "fd_prestat_get" -> c.result(0, prestat(c, nativeFd, c.i32(1)));
                case "fd_prestat_dir_name" -> c.result(0, prestatName(c, nativeFd, c.i32(1), c.i32(2)));
                default -> c.result(0, call(c, name, original, params));
            }
        });
    }

    /** The errno for a call on guest descriptor {@code fd} that must not reach libwasmer, or null. */
    private Integer refusal(String name, int fd) {
        if (fd >= 0 && fd < VIRTUAL_ROOT) {
            if (stdio.closed(fd)) {
                return ERRNO_BADF;
            }
            return name.startsWith("sock_") && stdio.served(fd) ? ERRNO_NOTSOCK : null;
        }
        // -1 has no libwasmer number to map to; libwasmer keeps some closed descriptors open
        return fd == -1 || closed.contains(toNative(fd)) ? ERRNO_BADF : null;
    }

    /** Guest descriptors are unsigned; -1, whose libwasmer number would wrap to 0, is refused before. */
    private static int toNative(int fd) {
        return Integer.compareUnsigned(fd, VIRTUAL_ROOT) >= 0 ? fd + 1 : fd;
    }

    private static int toGuest(int fd) {
        return Integer.compareUnsigned(fd, VIRTUAL_ROOT) > 0 ? fd - 1 : fd;
    }

    /** Calls libwasmer and adjusts what it says: new descriptors, preopens moved or closed, errnos. */
    private int call(HostCall c, String name, Func original, Object[] params) {
        int errno = (Integer) original.call(params)[0];
        if (errno == ERRNO_ACCES && name.startsWith("sock_")) {
            return ERRNO_NOTSOCK;
        }
        if (errno != 0) {
            return errno;
        }
        int first = (Integer) params[0];
        switch (name) {
            case "fd_close" -> closedByGuest(first);
            case "fd_renumber" -> renumbered(first, (Integer) params[1]);
            case "fd_fdstat_get" -> {
                return directoryRights(c, c.i32(1));
            }
            case "path_open" -> {
                return opened(c, c.i32(8));
            }
            case "sock_accept" -> {
                return opened(c, c.i32(2));
            }
            default -> {}
        }
        return 0;
    }

    private void closedByGuest(int fd) {
        preopenNames.remove(fd);
        closed.add(fd); // dropped again when libwasmer hands the number out anew
    }

    /** libwasmer's fd_renumber copies (dup2); WASI's moves, so the source is closed after. */
    private void renumbered(int from, int to) {
        if (from == to) {
            return;
        }
        byte[] moved = preopenNames.remove(from);
        preopenNames.remove(to);
        if (moved != null) {
            preopenNames.put(to, moved);
        }
        Func close = originals.get("fd_close");
        if (close != null) {
            close.call(from);
        }
        closedByGuest(from);
    }

    /**
     * fd_fdstat_get of a directory: without {@code FD_WRITE} in its base rights. Guest libraries pass a directory's
     * base rights to open it again, and libwasmer answers ISDIR when those hold {@code FD_WRITE}, as WASI runtimes do
     * when it is asked for; they report directories without it.
     */
    private static int directoryRights(HostCall c, int buf) {
        MemorySegment mem = CORE.unscoped(c.memory());
        long p = Integer.toUnsignedLong(buf);
        if (mem.get(JAVA_BYTE, p) == FILETYPE_DIRECTORY) {
            mem.set(JAVA_LONG_UNALIGNED, p + 8, mem.get(JAVA_LONG_UNALIGNED, p + 8) & ~RIGHTS_FD_WRITE);
        }
        return 0;
    }

    /** Rewrites the new descriptor libwasmer stored at {@code at} to the guest's number. */
    private int opened(HostCall c, int at) {
        MemorySegment mem = CORE.unscoped(c.memory()); // the store cannot be freed during this call
        long p = Integer.toUnsignedLong(at);
        int fd = mem.get(JAVA_INT_UNALIGNED, p);
        closed.remove(fd);
        mem.set(JAVA_INT_UNALIGNED, p, toGuest(fd));
        return 0;
    }

    /** fd_prestat_get: a directory preopen and its name's length, for the configured directories only. */
    private int prestat(HostCall c, int fd, int buf) {
        byte[] name = preopenNames.get(fd);
        if (name == null) {
            return ERRNO_BADF;
        }
        try {
            MemorySegment mem = CORE.unscoped(c.memory());
            long p = Integer.toUnsignedLong(buf);
            mem.set(JAVA_INT_UNALIGNED, p, 0); // tag 0: a directory; padding
            mem.set(JAVA_INT_UNALIGNED, p + 4, name.length);
            return 0;
        } catch (IndexOutOfBoundsException e) {
            return ERRNO_FAULT;
        }
    }

    /** fd_prestat_dir_name: the name the directory was configured under, without a terminating NUL. */
    private int prestatName(HostCall c, int fd, int path, int length) {
        byte[] name = preopenNames.get(fd);
        if (name == null) {
            return ERRNO_BADF;
        }
        if (name.length > Integer.toUnsignedLong(length)) {
            return ERRNO_NAMETOOLONG; // as WASI runtimes say it (libwasmer: OVERFLOW)
        }
        try {
            MemorySegment.copy(
                    name, 0, CORE.unscoped(c.memory()), JAVA_BYTE, Integer.toUnsignedLong(path), name.length);
            return 0;
        } catch (IndexOutOfBoundsException e) {
            return ERRNO_FAULT;
        }
    }

    /**
     * poll_oneoff: the descriptors of fd_read/fd_write subscriptions are translated in the guest's memory for the
     * call and translated back after it (its events name no descriptor).
     */
    private Object[] poll(HostCall c, Func original, int size) throws InterruptedException {
        Object[] served = stdio.poll(c, size);
        if (served != null) {
            return served;
        }
        MemorySegment mem = CORE.unscoped(c.memory());
        long in = Integer.toUnsignedLong(c.i32(0));
        long n = Integer.toUnsignedLong(c.i32(2));
        if (in + n * size > mem.byteSize()) {
            return new Object[] {ERRNO_FAULT};
        }
        for (long i = 0; i < n; i++) {
            Integer refused = subscriptionFd(mem, in + i * size)
                    ? refusal("poll_oneoff", mem.get(JAVA_INT_UNALIGNED, in + i * size + 16))
                    : null;
            if (refused != null) {
                return new Object[] {refused};
            }
        }
        translate(mem, in, n, size, WasiDescriptors::toNative);
        try {
            return original.call(c.params());
        } finally {
            translate(mem, in, n, size, WasiDescriptors::toGuest);
        }
    }

    /** Whether the subscription at {@code at} names a descriptor (tag 1 fd_read, 2 fd_write; 0 is a clock). */
    private static boolean subscriptionFd(MemorySegment mem, long at) {
        byte tag = mem.get(JAVA_BYTE, at + 8);
        return tag == 1 || tag == 2;
    }

    private static void translate(MemorySegment mem, long in, long n, int size, IntUnaryOperator how) {
        for (long i = 0; i < n; i++) {
            long at = in + i * size;
            if (subscriptionFd(mem, at)) {
                mem.set(JAVA_INT_UNALIGNED, at + 16, how.applyAsInt(mem.get(JAVA_INT_UNALIGNED, at + 16)));
            }
        }
    }
}
