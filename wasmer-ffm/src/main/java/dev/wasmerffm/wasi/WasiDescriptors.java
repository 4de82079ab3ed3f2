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
import dev.wasmerffm.wasi.WasiPaths.Resolved;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntUnaryOperator;

/**
 * The descriptors a WASI preview 1 guest sees, kept in Java over libwasmer's: a table from the guest's numbers to
 * libwasmer's, with each descriptor's rights, type and, for files and directories of a mapped directory, where it is
 * on the host.
 *
 * <p>Numbers: libwasmer always puts a virtual root named "/" at descriptor 3 and strips the leading slashes of an
 * alias ({@code mapDir("/", dir)} is "" there), so a guest looking for the preopen named "/" would get the virtual
 * root, where nothing can be created. The guest sees stdio at 0-2 and the configured directories at 3, 4, ... in
 * configuration order under the names they were given; a new descriptor takes the lowest free number from 3 on.
 * fd_renumber moves a table entry (libwasmer's copies its source with the source's inheriting rights and refuses to
 * overwrite a preopen), fd_close forgets one (libwasmer keeps preopens, and descriptors opened from them as ".",
 * open).
 *
 * <p>Rights: kept here as WASI runtimes keep them ({@link WasiRights}); a missing one is NOTCAPABLE before
 * libwasmer is called. Paths: resolved here ({@link WasiPaths}), so absolute paths, ".." above the descriptor and
 * symlinks leaving it are NOTCAPABLE, and symlinks inside are followed; libwasmer then gets the symlink-free path.
 * Where its answers differ from WASI runtimes' (stat, times, symlinks, links, listings), the host file system
 * answers ({@link WasiHostFiles}). A {@code sock_*} call on a descriptor that is no socket answers NOTSOCK
 * (libwasmer checks the right first and says ACCES; a preview 1 guest here never has a socket).
 */
final class WasiDescriptors {

    private static final CoreAccess CORE = Access.core();

    /** libwasmer's virtual root, which the guest never sees. */
    private static final int VIRTUAL_ROOT = 3;
    /** The lowest number a new descriptor takes: 0-2 are stdio's, even once closed or moved. */
    private static final int FIRST_FREE = 3;

    /** The longest path (or symlink target) taken, as Linux's PATH_MAX: longer is NAMETOOLONG. */
    private static final int MAX_PATH = 4096;

    private static final int LOOKUP_SYMLINK_FOLLOW = 1;
    private static final int O_CREAT = 1;
    private static final int O_DIRECTORY = 2;
    private static final int O_EXCL = 4;
    private static final int O_TRUNC = 8;
    private static final int FDFLAGS_APPEND = 1;
    /** fd_seek's whence CUR: 1 in preview 1, 0 in preview 0. */
    private static final int WHENCE_CUR = 1;

    private static final int WHENCE_CUR_PREVIEW0 = 0;

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
        m.put("path_link", new int[] {0, 4});
        m.put("path_rename", new int[] {0, 3});
        m.put("path_symlink", new int[] {2});
        return Map.copyOf(m);
    }

    /** The calls besides path_* whose handling here reads or writes guest memory. */
    private static final Set<String> MEMORY_CALLS = Set.of(
            "fd_prestat_get", "fd_prestat_dir_name", "fd_fdstat_get", "fd_filestat_get", "fd_readdir", "sock_accept");

    /** A descriptor as the guest sees it. */
    private static final class Fd {
        final int nativeFd;
        final byte filetype;
        /** Whether its rights are kept here (files and directories); stdio's and sockets' are libwasmer's. */
        final boolean keepsRights;

        long base;
        long inheriting;
        /** For a file or directory in a mapped directory: that directory and where this is; else null. */
        final Path root;

        final Path host;
        /** The host file's dev and ino when it was opened (a file keeps them through renames); -1 when unknown. */
        final long dev;

        final long ino;
        /** The name a configured directory is shown under (fd_prestat_dir_name); null for others. */
        final byte[] preopenName;

        Fd(
                int nativeFd,
                byte filetype,
                boolean keepsRights,
                long base,
                long inheriting,
                Path root,
                Path host,
                WasiHostFiles.Stat stat,
                byte[] preopenName) {
            this.nativeFd = nativeFd;
            this.filetype = filetype;
            this.keepsRights = keepsRights;
            this.base = base;
            this.inheriting = inheriting;
            this.root = root;
            this.host = host;
            this.dev = stat == null ? -1 : stat.dev();
            this.ino = stat == null ? -1 : stat.ino();
            this.preopenName = preopenName;
        }

        /** libwasmer's own descriptor, with its rights and nothing known of it on the host (stdio, sockets). */
        static Fd opaque(int nativeFd, byte filetype) {
            return new Fd(nativeFd, filetype, false, -1, -1, null, null, null, null);
        }

        /** The stdio stream (0-2) this is, moved or not, or -1: libwasmer's 0-2 are never closed, nor reused. */
        int stream() {
            return nativeFd < VIRTUAL_ROOT ? nativeFd : -1;
        }

        boolean isMappedDirectory() {
            return host != null && filetype == WasiHostFiles.FILETYPE_DIRECTORY;
        }
    }

    /** The guest's descriptors by number; null where closed. */
    private Fd[] table = new Fd[16];
    /** libwasmer's fd_close, for the calls that close a descriptor of their own; null until wrapped. */
    private Func nativeClose;
    /** The stdio descriptors served from Java: certainly no socket, found through the table, polled from Java. */
    private final WasiStdio stdio;

    WasiDescriptors(WasiConfig config, WasiStdio stdio) {
        this.stdio = stdio;
        for (int fd = 0; fd < VIRTUAL_ROOT; fd++) {
            table[fd] = Fd.opaque(fd, WasiHostFiles.FILETYPE_CHARACTER_DEVICE);
        }
        stdio.streams(fd -> {
            Fd f = get(fd);
            return f == null ? -1 : f.stream();
        });
        // libwasmer opens the preopened directories, then the mapped ones, each in the order given, after its root.
        int nativeFd = VIRTUAL_ROOT + 1;
        for (Path dir : config.preopenDirs()) {
            add(preopen(nativeFd++, dir, dir.toString()));
        }
        for (Map.Entry<String, Path> e : config.mappedDirs().entrySet()) {
            add(preopen(nativeFd++, e.getValue(), e.getKey()));
        }
    }

    private static Fd preopen(int nativeFd, Path dir, String name) {
        WasiHostFiles.Stat stat;
        try {
            stat = WasiHostFiles.stat(dir);
        } catch (IOException e) {
            stat = null; // it was a directory when configured; its identity is then libwasmer's
        }
        return new Fd(
                nativeFd,
                WasiHostFiles.FILETYPE_DIRECTORY,
                true,
                WasiRights.DIRECTORY,
                WasiRights.DIRECTORY | WasiRights.FILE,
                dir,
                dir,
                stat,
                name.getBytes(StandardCharsets.UTF_8));
    }

    /** Gives {@code fd} the lowest free guest number from {@link #FIRST_FREE} on. */
    private int add(Fd fd) {
        for (int i = FIRST_FREE; ; i++) {
            if (i == table.length) {
                table = Arrays.copyOf(table, table.length * 2);
            }
            if (table[i] == null) {
                table[i] = fd;
                return i;
            }
        }
    }

    /** The descriptor the guest numbers {@code fd} (unsigned), or null. */
    private Fd get(int fd) {
        return fd >= 0 && fd < table.length ? table[fd] : null;
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
        if (name.equals("fd_close")) {
            nativeClose = original;
        }
        boolean preview0 = module.equals("wasi_unstable");
        // A subscription's descriptor is at offset 16; preview 0's clock subscription is 8 bytes longer.
        int subscriptionSize = preview0 ? 56 : 48;
        long[] needs = fds == null ? null : new long[] {WasiRights.needed(name, 0), WasiRights.needed(name, 1)};
        boolean memory = name.startsWith("path_") || MEMORY_CALLS.contains(name);
        boolean seek = name.equals("fd_seek");
        return Func.host(store, type, c -> {
            if (poll) {
                c.results(poll(c, original, subscriptionSize));
                return;
            }
            Object[] params = c.params();
            Fd[] used = new Fd[fds.length];
            for (int k = 0; k < fds.length; k++) {
                int fd = (Integer) params[fds[k]];
                Integer refused = refusal(name, fd);
                Fd f = get(fd);
                long need = seek ? seekNeeds(c, preview0) : needs[k];
                if (refused == null && f.keepsRights && (f.base & need) != need) {
                    refused = WasiErrno.NOTCAPABLE;
                }
                if (refused != null) {
                    c.result(0, refused);
                    return;
                }
                params[fds[k]] = f.nativeFd;
                used[k] = f;
            }
            // Only these read guest memory: fd_close, fd_read, fd_write ... may be called from Java (WasiStdio's
            // wrappers), where a host function has no caller and so no memory.
            MemorySegment mem = memory ? CORE.unscoped(c.memory()) : null; // no store is freed during this call
            c.result(0, call(c, mem, name, original, params, used, preview0));
        });
    }

    /** The errno for a call on guest descriptor {@code fd} that must not reach libwasmer, or null. */
    private Integer refusal(String name, int fd) {
        if (get(fd) == null) {
            return WasiErrno.BADF;
        }
        return name.startsWith("sock_") && stdio.served(fd) ? WasiErrno.NOTSOCK : null;
    }

    /** fd_seek needs FD_SEEK, or only FD_TELL to ask where it is (offset 0 from the current position). */
    private static long seekNeeds(HostCall c, boolean preview0) {
        boolean tell = c.i64(1) == 0 && c.i32(2) == (preview0 ? WHENCE_CUR_PREVIEW0 : WHENCE_CUR);
        return tell ? WasiRights.FD_TELL : WasiRights.FD_SEEK;
    }

    /** A call whose descriptors are translated in {@code params} ({@code used}: theirs, in order). */
    private int call(
            HostCall c, MemorySegment mem, String name, Func original, Object[] params, Fd[] used, boolean preview0) {
        Fd fd = used[0];
        if (name.startsWith("path_")) {
            for (Fd dir : used) {
                if (!dir.isMappedDirectory()) {
                    return WasiErrno.NOTDIR; // stdio, or a file: every directory a guest has is a mapped one
                }
            }
        }
        try {
            return switch (name) {
                case "fd_prestat_get" -> prestat(mem, fd, c.i32(1));
                case "fd_prestat_dir_name" -> prestatName(mem, fd, c.i32(1), c.i32(2));
                case "fd_close" -> close(c.i32(0), fd);
                case "fd_renumber" -> renumber(c.i32(0), c.i32(1));
                case "fd_fdstat_get" -> fdstat(mem, fd, c.i32(1), forward(original, params));
                case "fd_fdstat_set_rights" ->
                    fd.keepsRights ? setRights(fd, c.i64(1), c.i64(2)) : forward(original, params);
                case "fd_filestat_get" -> filestat(mem, fd, c.i32(1), forward(original, params));
                case "fd_readdir" -> fd.isMappedDirectory() ? readdir(c, mem, fd) : forward(original, params);
                case "path_open" -> open(c, mem, original, params, fd);
                case "path_filestat_get" -> pathFilestat(c, mem, params, fd, preview0);
                case "path_filestat_set_times" -> pathSetTimes(c, mem, params, fd);
                case "path_readlink" -> readlink(c, mem, params, fd);
                case "path_symlink" -> symlink(c, mem, params, fd);
                case "path_link" -> link(c, mem, params, fd, used[1]);
                case "path_create_directory", "path_remove_directory", "path_unlink_file" ->
                    pathCall(c, mem, name, original, params, fd);
                case "path_rename" -> rename(c, mem, original, params, fd, used[1]);
                case "sock_accept" -> accepted(mem, c.i32(2), notSocket(forward(original, params)));
                case "sock_recv", "sock_send", "sock_shutdown" -> notSocket(forward(original, params));
                default -> forward(original, params);
            };
        } catch (IndexOutOfBoundsException e) {
            return WasiErrno.FAULT; // a buffer outside memory is the guest's error, as libwasmer reports it
        }
    }

    private static int forward(Func original, Object[] params) {
        return (Integer) original.call(params)[0];
    }

    /** A sock_* call's ACCES is its right check on a descriptor that is no socket. */
    private static int notSocket(int errno) {
        return errno == WasiErrno.ACCES ? WasiErrno.NOTSOCK : errno;
    }

    /** Forgets guest descriptor {@code guest} and closes libwasmer's (it keeps preopens: harmless). */
    private int close(int guest, Fd fd) {
        table[guest] = null;
        // libwasmer's 0-2 are the JVM's, and stay so that it never hands their numbers out again
        return fd.stream() >= 0 ? 0 : closeNative(fd.nativeFd);
    }

    /** libwasmer's fd_close; without it (not imported) its descriptor stays open until the environment closes. */
    private int closeNative(int nativeFd) {
        return nativeClose == null ? 0 : (Integer) nativeClose.call(nativeFd)[0];
    }

    /** fd_renumber moves the entry over {@code to}, whose descriptor is closed. */
    private int renumber(int from, int to) {
        if (from != to) {
            close(to, table[to]);
            table[to] = table[from];
            table[from] = null;
        }
        return 0;
    }

    /** fd_fdstat_get: the rights kept here instead of libwasmer's. */
    private static int fdstat(MemorySegment mem, Fd fd, int buf, int errno) {
        if (errno == 0 && fd.keepsRights) {
            long p = Integer.toUnsignedLong(buf);
            mem.set(JAVA_LONG_UNALIGNED, p + 8, fd.base);
            mem.set(JAVA_LONG_UNALIGNED, p + 16, fd.inheriting);
        }
        return errno;
    }

    /** fd_fdstat_set_rights may only drop rights. */
    private static int setRights(Fd fd, long base, long inheriting) {
        if ((base & ~fd.base) != 0 || (inheriting & ~fd.inheriting) != 0) {
            return WasiErrno.NOTCAPABLE;
        }
        fd.base = base;
        fd.inheriting = inheriting;
        return 0;
    }

    /** fd_filestat_get: the host file's dev and ino (libwasmer's ino is a hash of the path it was opened by). */
    private static int filestat(MemorySegment mem, Fd fd, int buf, int errno) {
        if (errno == 0 && fd.ino != -1) {
            long p = Integer.toUnsignedLong(buf);
            mem.set(JAVA_LONG_UNALIGNED, p, fd.dev);
            mem.set(JAVA_LONG_UNALIGNED, p + 8, fd.ino);
        }
        return errno;
    }

    /** fd_readdir of a mapped directory from the host, with each entry's inode number (libwasmer's are 0). */
    private static int readdir(HostCall c, MemorySegment mem, Fd dir) {
        long buf = Integer.toUnsignedLong(c.i32(1));
        long len = Integer.toUnsignedLong(c.i32(2));
        long used = Integer.toUnsignedLong(c.i32(4));
        mem.asSlice(buf, len); // bounds
        mem.get(JAVA_INT_UNALIGNED, used);
        Path parent = dir.host.equals(dir.root) ? dir.host : dir.host.getParent();
        try {
            long n = WasiHostFiles.readdir(dir.host, parent, mem, buf, len, c.i64(3));
            mem.set(JAVA_INT_UNALIGNED, used, (int) n);
            return 0;
        } catch (IOException e) {
            return WasiErrno.of(e);
        }
    }

    /** fd_prestat_get: a directory preopen and its name's length, for the configured directories only. */
    private static int prestat(MemorySegment mem, Fd fd, int buf) {
        if (fd.preopenName == null) {
            return WasiErrno.BADF;
        }
        long p = Integer.toUnsignedLong(buf);
        mem.set(JAVA_INT_UNALIGNED, p, 0); // tag 0: a directory; padding
        mem.set(JAVA_INT_UNALIGNED, p + 4, fd.preopenName.length);
        return 0;
    }

    /** fd_prestat_dir_name: the name the directory was configured under, without a terminating NUL. */
    private static int prestatName(MemorySegment mem, Fd fd, int path, int length) {
        byte[] name = fd.preopenName;
        if (name == null) {
            return WasiErrno.BADF;
        }
        if (name.length > Integer.toUnsignedLong(length)) {
            return WasiErrno.NAMETOOLONG; // as WASI runtimes say it (libwasmer: OVERFLOW)
        }
        MemorySegment.copy(name, 0, mem, JAVA_BYTE, Integer.toUnsignedLong(path), name.length);
        return 0;
    }

    /** A guest path at {@code params[at]} (address, then length) resolved below directory {@code dir}. */
    private static Resolved resolve(MemorySegment mem, Object[] params, int at, Fd dir, boolean follow) {
        byte[] path = path(mem, (Integer) params[at], (Integer) params[at + 1]);
        return path == null
                ? new Resolved(WasiErrno.NAMETOOLONG, null, null, List.of(), false, false)
                : WasiPaths.resolve(dir.host, path, follow);
    }

    /** The guest's path bytes, or null when longer than any host takes (the copy stays small). */
    private static byte[] path(MemorySegment mem, int address, int length) {
        long n = Integer.toUnsignedLong(length);
        MemorySegment p = mem.asSlice(Integer.toUnsignedLong(address), n); // bounds first: FAULT
        return n > MAX_PATH ? null : p.toArray(JAVA_BYTE);
    }

    /**
     * path_open: refused here as WASI runtimes refuse it (a symlink not followed, a file asked as a directory,
     * truncating or creating without the right), else libwasmer opens the resolved path and the new descriptor gets
     * the rights asked for that its directory passes on and its type allows.
     */
    private int open(HostCall c, MemorySegment mem, Func original, Object[] params, Fd dir) {
        int oflags = c.i32(4);
        long base = c.i64(5);
        int fdflags = c.i32(7);
        long out = Integer.toUnsignedLong(c.i32(8));
        mem.get(JAVA_INT_UNALIGNED, out); // bounds, before anything is opened
        long need = ((oflags & O_CREAT) != 0 ? WasiRights.PATH_CREATE_FILE : 0)
                | ((oflags & O_TRUNC) != 0 ? WasiRights.PATH_FILESTAT_SET_SIZE : 0);
        if ((dir.base & need) != need) {
            return WasiErrno.NOTCAPABLE;
        }
        Resolved r = resolve(mem, params, 2, dir, (c.i32(1) & LOOKUP_SYMLINK_FOLLOW) != 0);
        if (r.errno() != 0) {
            return r.errno();
        }
        if (r.isSymlink()) {
            return (oflags & (O_CREAT | O_EXCL)) == (O_CREAT | O_EXCL) ? WasiErrno.EXIST : WasiErrno.LOOP;
        }
        if (r.exists() && !r.isDirectory() && ((oflags & O_DIRECTORY) != 0 || r.trailingSlash())) {
            return WasiErrno.NOTDIR;
        }
        Resolved[] rewritten = r.followedSymlink() ? new Resolved[] {r} : null;
        if ((fdflags & FDFLAGS_APPEND) != 0 && (oflags & O_CREAT) != 0 && !r.exists()) {
            // libwasmer opens a file it creates for appending on the host too, which clearing the flag later does
            // not undo: create it first, then open it for appending, which libwasmer keeps in its flag only
            params[7] = fdflags & ~FDFLAGS_APPEND;
            int created = withPaths(mem, original, params, rewritten, 2, out, 4);
            if (created != 0) {
                return created;
            }
            closeNative(mem.get(JAVA_INT_UNALIGNED, out));
            params[7] = fdflags;
            params[4] = oflags & ~(O_CREAT | O_EXCL | O_TRUNC);
        }
        int errno = withPaths(mem, original, params, rewritten, 2, out, 4);
        return errno != 0 ? errno : opened(mem, out, r, dir, base, c.i64(6));
    }

    /** Enters the descriptor libwasmer stored at {@code out} for {@code r} into the table, under a guest number. */
    private int opened(MemorySegment mem, long out, Resolved r, Fd dir, long base, long inheriting) {
        WasiHostFiles.Stat stat = r.stat();
        if (stat == null) { // created by this open
            try {
                stat = WasiHostFiles.stat(r.host());
            } catch (IOException e) {
                // removed since: a file of no known identity
            }
        }
        byte type = stat == null ? WasiHostFiles.FILETYPE_UNKNOWN : stat.filetype();
        long mask = type == WasiHostFiles.FILETYPE_DIRECTORY ? WasiRights.DIRECTORY : WasiRights.FILE;
        Fd fd = new Fd(
                mem.get(JAVA_INT_UNALIGNED, out),
                type,
                true,
                base & dir.inheriting & mask,
                inheriting & dir.inheriting,
                dir.root,
                r.host(),
                stat,
                null);
        mem.set(JAVA_INT_UNALIGNED, out, add(fd));
        return 0;
    }

    /** sock_accept: the new connection gets a guest number. */
    private int accepted(MemorySegment mem, int at, int errno) {
        if (errno != 0) {
            return errno;
        }
        long out = Integer.toUnsignedLong(at);
        mem.set(
                JAVA_INT_UNALIGNED,
                out,
                add(Fd.opaque(mem.get(JAVA_INT_UNALIGNED, out), WasiHostFiles.FILETYPE_UNKNOWN)));
        return 0;
    }

    /** path_filestat_get from the host: its own dev and ino, a symlink's own times. */
    private static int pathFilestat(HostCall c, MemorySegment mem, Object[] params, Fd dir, boolean preview0) {
        Resolved r = resolve(mem, params, 2, dir, (c.i32(1) & LOOKUP_SYMLINK_FOLLOW) != 0);
        int errno = existing(r);
        if (errno != 0) {
            return errno;
        }
        long out = Integer.toUnsignedLong(c.i32(4));
        mem.asSlice(out, preview0 ? 56 : 64); // bounds
        WasiHostFiles.writeFilestat(mem, out, preview0, r.stat());
        return 0;
    }

    /** The errno of a path that must name something (a trailing slash: a directory), or 0. */
    private static int existing(Resolved r) {
        if (r.errno() != 0) {
            return r.errno();
        }
        if (!r.exists()) {
            return WasiErrno.NOENT;
        }
        return r.trailingSlash() && !r.isDirectory() ? WasiErrno.NOTDIR : 0;
    }

    /** path_filestat_set_times on the host (libwasmer sets them in its cache of the directory, not the file). */
    private static int pathSetTimes(HostCall c, MemorySegment mem, Object[] params, Fd dir) {
        Resolved r = resolve(mem, params, 2, dir, (c.i32(1) & LOOKUP_SYMLINK_FOLLOW) != 0);
        int errno = existing(r);
        return errno != 0 ? errno : WasiHostFiles.setTimes(r.host(), c.i64(4), c.i64(5), c.i32(6));
    }

    /** path_readlink from the host: the first {@code buf_len} bytes of the target, as WASI runtimes truncate it. */
    private static int readlink(HostCall c, MemorySegment mem, Object[] params, Fd dir) {
        Resolved r = resolve(mem, params, 1, dir, false);
        int errno = existing(r);
        if (errno != 0) {
            return errno;
        }
        if (!r.isSymlink()) {
            return WasiErrno.INVAL;
        }
        long buf = Integer.toUnsignedLong(c.i32(3));
        long length = Integer.toUnsignedLong(c.i32(4));
        long out = Integer.toUnsignedLong(c.i32(5));
        mem.asSlice(buf, length); // bounds: the whole buffer, as libwasmer checks it
        mem.get(JAVA_INT_UNALIGNED, out);
        try {
            byte[] target = Files.readSymbolicLink(r.host()).toString().getBytes(StandardCharsets.UTF_8);
            int n = (int) Math.min(target.length, length);
            MemorySegment.copy(target, 0, mem, JAVA_BYTE, buf, n);
            mem.set(JAVA_INT_UNALIGNED, out, n);
            return 0;
        } catch (IOException e) {
            return WasiErrno.of(e);
        }
    }

    /**
     * path_symlink on the host (libwasmer keeps guest symlinks in its memory only). A target that is absolute or
     * would lead out of the mapped directory from where the link is, is NOTCAPABLE: nothing the guest makes points
     * out of it, for the host's own programs either.
     */
    private static int symlink(HostCall c, MemorySegment mem, Object[] params, Fd dir) {
        byte[] target = path(mem, c.i32(0), c.i32(1));
        if (target == null) {
            return WasiErrno.NAMETOOLONG;
        }
        Resolved r = resolve(mem, params, 3, dir, false);
        if (r.errno() != 0) {
            return r.errno();
        }
        if (r.exists()) {
            return r.trailingSlash() && !r.isDirectory() ? WasiErrno.NOTDIR : WasiErrno.EXIST;
        }
        if (r.trailingSlash() || target.length == 0) {
            return WasiErrno.NOENT; // as POSIX's symlink says of both
        }
        String t = new String(target, StandardCharsets.UTF_8);
        if (!WasiPaths.staysInside(dir.root, r.host(), t)) {
            return WasiErrno.NOTCAPABLE;
        }
        try {
            Files.createSymbolicLink(r.host(), Path.of(t));
            return 0;
        } catch (IOException e) {
            return WasiErrno.of(e);
        }
    }

    /** path_link on the host (libwasmer has no hard links). A directory cannot be linked (PERM). */
    private static int link(HostCall c, MemorySegment mem, Object[] params, Fd from, Fd to) {
        Resolved source = resolve(mem, params, 2, from, (c.i32(1) & LOOKUP_SYMLINK_FOLLOW) != 0);
        int errno = existing(source);
        if (errno != 0) {
            return errno;
        }
        if (source.isDirectory()) {
            return WasiErrno.PERM;
        }
        Resolved target = resolve(mem, params, 5, to, false);
        if (target.errno() != 0) {
            return target.errno();
        }
        if (target.exists()) {
            return WasiErrno.EXIST;
        }
        if (target.trailingSlash()) {
            return WasiErrno.NOENT;
        }
        try {
            Files.createLink(target.host(), source.host());
            return 0;
        } catch (IOException e) {
            return WasiErrno.of(e);
        }
    }

    /**
     * path_create_directory, path_remove_directory, path_unlink_file: libwasmer's on the resolved path, after the
     * checks it makes differently (it unlinks a directory's cache entry before refusing, and then cannot remove
     * it). A symlink is unlinked on the host, where the layer made it.
     */
    private static int pathCall(HostCall c, MemorySegment mem, String name, Func original, Object[] params, Fd dir) {
        Resolved r = resolve(mem, params, 1, dir, false);
        if (r.errno() != 0) {
            return r.errno();
        }
        switch (name) {
            case "path_create_directory" -> {
                if (r.exists()) {
                    return WasiErrno.EXIST;
                }
            }
            case "path_remove_directory" -> {
                int errno = existing(r);
                if (errno != 0) {
                    return errno;
                }
                if (!r.isDirectory()) {
                    return WasiErrno.NOTDIR;
                }
            }
            default -> {
                if (!r.exists()) {
                    return WasiErrno.NOENT;
                }
                if (r.isDirectory()) {
                    return WasiErrno.ISDIR;
                }
                if (r.trailingSlash()) {
                    return WasiErrno.NOTDIR;
                }
                if (r.isSymlink()) {
                    try {
                        Files.delete(r.host());
                        return 0;
                    } catch (IOException e) {
                        return WasiErrno.of(e);
                    }
                }
            }
        }
        return withPaths(mem, original, params, r.followedSymlink() ? new Resolved[] {r} : null, 1, -1, 0);
    }

    /**
     * path_rename: libwasmer's on the resolved paths, after the checks it answers with IO (a directory over a
     * non-empty one, a file over a directory, a directory over a file). A symlink is moved on the host.
     */
    private static int rename(HostCall c, MemorySegment mem, Func original, Object[] params, Fd from, Fd to) {
        Resolved source = resolve(mem, params, 1, from, false);
        int errno = existing(source);
        if (errno != 0) {
            return errno;
        }
        Resolved target = resolve(mem, params, 4, to, false);
        if (target.errno() != 0) {
            return target.errno();
        }
        if (target.exists() && !target.host().equals(source.host())) {
            if (source.isDirectory() && !target.isDirectory()) {
                return WasiErrno.NOTDIR;
            }
            if (!source.isDirectory() && target.isDirectory()) {
                return WasiErrno.ISDIR;
            }
            if (target.isDirectory() && !empty(target.host())) {
                return WasiErrno.NOTEMPTY;
            }
        } else if (target.trailingSlash() && !source.isDirectory()) {
            return WasiErrno.NOTDIR;
        }
        if (source.isSymlink() || target.isSymlink()) {
            try {
                Files.move(source.host(), target.host(), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                return 0;
            } catch (IOException e) {
                return WasiErrno.of(e);
            }
        }
        boolean rewrite = source.followedSymlink() || target.followedSymlink();
        return withPaths(mem, original, params, rewrite ? new Resolved[] {source, target} : null, 1, -1, 0);
    }

    private static boolean empty(Path dir) {
        try (var entries = Files.newDirectoryStream(dir)) {
            return !entries.iterator().hasNext();
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Calls libwasmer with the resolved paths in place of the guest's (null: the guest's as they are). The path
     * parameters are {@code first} (address, length) and, for a second path, three after it. The new paths are
     * written to guest memory away from {@code [avoid, avoid + avoidLength)} (where libwasmer writes its result)
     * and what was there is put back after: the guest is stopped in this call and cannot see it.
     */
    private static int withPaths(
            MemorySegment mem,
            Func original,
            Object[] params,
            Resolved[] paths,
            int first,
            long avoid,
            long avoidLength) {
        if (paths == null) {
            return forward(original, params);
        }
        byte[][] bytes = new byte[paths.length][];
        long total = 0;
        for (int i = 0; i < paths.length; i++) {
            bytes[i] = paths[i].relative();
            total += bytes[i].length;
        }
        long size = mem.byteSize();
        long at = avoid >= 0 && avoid < total ? size - total : 0;
        if (total > size || avoid >= 0 && at < avoid + avoidLength && avoid < at + total) {
            return WasiErrno.NAMETOOLONG;
        }
        byte[] saved = mem.asSlice(at, total).toArray(JAVA_BYTE);
        try {
            long p = at;
            for (int i = 0; i < paths.length; i++) {
                MemorySegment.copy(bytes[i], 0, mem, JAVA_BYTE, p, bytes[i].length);
                params[first + 3 * i] = (int) p;
                params[first + 3 * i + 1] = bytes[i].length;
                p += bytes[i].length;
            }
            return forward(original, params);
        } finally {
            MemorySegment.copy(saved, 0, mem, JAVA_BYTE, at, saved.length);
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
            return new Object[] {WasiErrno.FAULT};
        }
        for (long i = 0; i < n; i++) {
            long at = in + i * size;
            if (subscriptionFd(mem, at)) {
                int fd = mem.get(JAVA_INT_UNALIGNED, at + 16);
                Integer refused = refusal("poll_oneoff", fd);
                if (refused != null) {
                    return new Object[] {refused};
                }
            }
        }
        Map<Integer, Integer> guest = new HashMap<>(); // each open descriptor has its own libwasmer number
        for (int fd = 0; fd < table.length; fd++) {
            if (table[fd] != null) {
                guest.put(table[fd].nativeFd, fd);
            }
        }
        translate(mem, in, n, size, fd -> get(fd).nativeFd);
        try {
            return original.call(c.params());
        } finally {
            translate(mem, in, n, size, guest::get);
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
