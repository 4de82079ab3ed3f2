package dev.wasmerffm.internal;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;

/**
 * A library opened once and checked before it is loaded: a regular file that only this user (or root, for a library
 * named explicitly) can have written, reached without following a symbolic link from a directory checked likewise.
 * What is hashed and loaded is the open file itself, so no one can swap it between the check and the load: on Linux
 * the loader is given {@code /proc/self/fd/N}; elsewhere (macOS) the open file is copied into a fresh private
 * directory while it is hashed, and the copy is loaded. The descriptor stays open for the life of the JVM: a number
 * closed and reused would make the dynamic loader take a later {@code /proc/self/fd/N} for this library.
 */
public final class LibraryFile implements AutoCloseable {

    /** A directory or the file is there but must not be used; the message names it and why. */
    public static final class Untrusted extends IOException {
        Untrusted(Path path, String problem) {
            super(path + " " + problem);
        }
    }

    /** How a place is trusted. */
    public enum Policy {
        /** The extraction directories: this user's, made {@code 0700} where missing, no link followed below the root. */
        EXTRACT(true, true, false),
        /** The build cache: this user's, no link followed below the root. */
        CACHE(false, true, false),
        /** A library named by the user: its own path resolved once; the file this user's or root's. */
        NAMED(false, false, true);

        final boolean create;
        final boolean checkDirectories;
        final boolean rootMayOwn;

        Policy(boolean create, boolean checkDirectories, boolean rootMayOwn) {
            this.create = create;
            this.checkDirectories = checkDirectories;
            this.rootMayOwn = rootMayOwn;
        }
    }

    /** Set to true, loads a private copy as on macOS, so that the tests run that way on Linux too. */
    static final String COPY_PROPERTY = "dev.wasmerffm.internal.copyLibrary";

    static final FileAttribute<Set<PosixFilePermission>> PRIVATE_DIRECTORY =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"));
    private static final int S_IFMT = 0170000;
    private static final int S_IFDIR = 0040000;
    private static final int S_IFREG = 0100000;
    private static final int GROUP_OR_OTHERS_WRITE = 0022;

    private final Path path;
    private final int fd; // Linux: the open file; -1 otherwise
    private final FileChannel channel; // elsewhere: the open file; null on Linux
    private Path copy; // elsewhere: the private copy that is loaded
    private String sha256;
    private boolean loaded;
    private boolean closed;

    private LibraryFile(Path path, int fd, FileChannel channel) {
        this.path = path;
        this.fd = fd;
        this.channel = channel;
    }

    /** Where the library was found (not what the dynamic loader is given). */
    public Path path() {
        return path;
    }

    /**
     * Opens {@code root/dirs.../name}, checking {@code root} and each directory below it as {@code policy} says.
     *
     * @return the open, checked file, or null when it (or, for a policy that does not create, a directory on the
     *     way) does not exist
     * @throws Untrusted when a directory or the file could be changed by another user, or is a link
     */
    public static LibraryFile open(Path root, List<String> dirs, String name, Policy policy) throws IOException {
        return Fd.USABLE ? Fd.open(root, dirs, name, policy) : openWithoutDescriptors(root, dirs, name, policy);
    }

    /** Opens a library the user named: its path is resolved once, then the file is opened without following links. */
    public static LibraryFile openNamed(Path file) throws IOException {
        Path real;
        try {
            real = file.toRealPath();
        } catch (NoSuchFileException e) {
            return null;
        }
        return open(real.getParent(), List.of(), real.getFileName().toString(), Policy.NAMED);
    }

    /** The SHA-256 of the open file, as hex. */
    public String sha256() throws IOException {
        if (sha256 == null) {
            sha256 = fd >= 0 ? Fd.sha256(fd) : copyAndHash();
        }
        return sha256;
    }

    /** Loads exactly the file that was opened and checked; it stays loaded for the life of the JVM. */
    public SymbolLookup load() throws IOException {
        String name;
        if (fd >= 0) {
            name = "/proc/self/fd/" + fd;
        } else {
            sha256();
            channel.close();
            name = copy.toString();
            copy.getParent().toFile().deleteOnExit(); // after the file: deleteOnExit runs in reverse order
            copy.toFile().deleteOnExit();
        }
        SymbolLookup lookup = SymbolLookup.libraryLookup(name, Arena.global());
        loaded = true;
        return lookup;
    }

    /** Closes a file that was not loaded (and deletes its copy); once only: a descriptor's number is reused. */
    @Override
    public void close() throws IOException {
        if (loaded || closed) {
            return;
        }
        closed = true;
        if (fd >= 0) {
            Fd.close(fd);
        } else {
            channel.close();
            if (copy != null) {
                Files.deleteIfExists(copy);
                Files.deleteIfExists(copy.getParent());
            }
        }
    }

    private static void createRoot(Path root) throws IOException {
        try {
            Files.createDirectories(root, PRIVATE_DIRECTORY);
        } catch (IOException e) { // e.g. a read-only home: its message is only the path
            throw new IOException(root + " cannot be created (" + e + ")", e);
        }
    }

    /** Why a file or directory of this owner and mode must not be used, or null when it may. */
    private static String problem(boolean directory, int mode, int uid, Policy policy) throws IOException {
        int type = mode & S_IFMT;
        if (type != (directory ? S_IFDIR : S_IFREG)) {
            return directory ? "is not a directory" : "is not a regular file";
        }
        int me = OwnFiles.currentUid();
        if (uid != me && !(policy.rootMayOwn && uid == 0)) {
            return "is owned by uid " + uid + ", not by this user (uid " + me + ")"
                    + (policy.rootMayOwn ? " or root" : "") + ", who could change it";
        }
        if ((mode & GROUP_OR_OTHERS_WRITE) != 0) {
            return "is writable by group or others (mode " + String.format("%04o", mode & 07777)
                    + "), who could change it";
        }
        return null;
    }

    private static void check(Path p, boolean directory, int mode, int uid, Policy policy) throws IOException {
        String problem = problem(directory, mode, uid, policy);
        if (problem != null) {
            throw new Untrusted(p, problem);
        }
    }

    /** Where {@code /proc/self/fd} is not available: checks by path, and loads a private copy of what was read. */
    static LibraryFile openWithoutDescriptors(Path root, List<String> dirs, String name, Policy policy)
            throws IOException {
        if (policy.create) {
            createRoot(root);
        }
        Path p = root;
        for (int i = -1; i < dirs.size(); i++) {
            p = i < 0 ? root : p.resolve(dirs.get(i));
            if (policy.create && i >= 0) {
                try {
                    Files.createDirectory(p, PRIVATE_DIRECTORY);
                } catch (FileAlreadyExistsException e) {
                    // checked below
                }
            }
            if (policy.checkDirectories && !checkByPath(p, true, policy)) {
                return null;
            }
        }
        Path file = p.resolve(name);
        FileChannel channel;
        try {
            channel = FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            if (Files.isSymbolicLink(file)) {
                throw new Untrusted(file, "is a symbolic link (not followed)");
            }
            throw e;
        }
        try {
            checkByPath(file, false, policy);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
        return new LibraryFile(file, -1, channel);
    }

    /** Checks {@code p} itself (a link is not followed); false when it does not exist. */
    private static boolean checkByPath(Path p, boolean directory, Policy policy) throws IOException {
        PosixFileAttributes a;
        try {
            a = Files.readAttributes(p, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return false;
        }
        if (a.isSymbolicLink()) {
            throw new Untrusted(p, "is a symbolic link (not followed)");
        }
        int mode = (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        check(p, directory, mode, (Integer) Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS), policy);
        return true;
    }

    /** Copies the open file into a fresh private directory, hashing what it copies. */
    private String copyAndHash() throws IOException {
        Path dir = Files.createTempDirectory("wasmer-java-load-", PRIVATE_DIRECTORY);
        copy = dir.resolve(path.getFileName());
        MessageDigest digest = NativeJar.sha256Digest();
        try (OutputStream out =
                new DigestOutputStream(Files.newOutputStream(copy, StandardOpenOption.CREATE_NEW), digest)) {
            channel.position(0);
            Channels.newInputStream(channel).transferTo(out);
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    /** Linux on x86_64 or aarch64: directories and the file opened one component at a time, never through a link. */
    private static final class Fd {
        private static final int AT_FDCWD = -100;
        private static final int AT_EMPTY_PATH = 0x1000;
        private static final int STATX_TYPE_MODE_UID = 0x1 | 0x2 | 0x8;
        private static final int ENOENT = 2;
        private static final int ELOOP = 40;
        private static final int ENOTDIR = 20;
        private static final int O_NONBLOCK = 04000; // a FIFO planted for the file must not block the open
        private static final int O_CLOEXEC = 02000000;
        private static final MethodHandle OPENAT;
        private static final MethodHandle STATX;
        private static final MethodHandle PREAD;
        private static final MethodHandle CLOSE;
        private static final VarHandle ERRNO;
        private static final int DIRECTORY_FLAGS;
        private static final int FILE_FLAGS;
        static final boolean USABLE;

        static {
            MethodHandle openat = null, statx = null, pread = null, close = null;
            VarHandle errno = null;
            int directory = 0, noFollow = 0;
            boolean usable = false;
            // O_DIRECTORY and O_NOFOLLOW differ between x86_64 and the generic layout aarch64 uses.
            switch (NativeJar.hostArch()) {
                case "x86_64" -> {
                    directory = 0200000;
                    noFollow = 0400000;
                }
                case "aarch64" -> {
                    directory = 040000;
                    noFollow = 0100000;
                }
                default -> {}
            }
            if (NativeJar.platform().startsWith("linux-")
                    && directory != 0
                    && Files.isDirectory(Path.of("/proc/self/fd"))
                    && !Boolean.getBoolean(COPY_PROPERTY)) {
                try {
                    Linker linker = Native.LINKER;
                    SymbolLookup libc = linker.defaultLookup();
                    Linker.Option errnoOption = Linker.Option.captureCallState("errno");
                    errno = Linker.Option.captureStateLayout()
                            .varHandle(MemoryLayout.PathElement.groupElement("errno"));
                    openat = linker.downcallHandle(
                            libc.find("openat").orElseThrow(),
                            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT),
                            errnoOption,
                            Linker.Option.firstVariadicArg(3));
                    statx = linker.downcallHandle(
                            libc.find("statx").orElseThrow(),
                            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS),
                            errnoOption);
                    pread = linker.downcallHandle(
                            libc.find("pread").orElseThrow(),
                            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_LONG),
                            errnoOption);
                    close = linker.downcallHandle(
                            libc.find("close").orElseThrow(), FunctionDescriptor.of(JAVA_INT, JAVA_INT));
                    usable = true;
                } catch (RuntimeException e) {
                    usable = false; // e.g. a C library without statx: the path-checking copy is used
                }
            }
            OPENAT = openat;
            STATX = statx;
            PREAD = pread;
            CLOSE = close;
            ERRNO = errno;
            DIRECTORY_FLAGS = directory | noFollow | O_NONBLOCK | O_CLOEXEC;
            FILE_FLAGS = noFollow | O_NONBLOCK | O_CLOEXEC;
            USABLE = usable;
        }

        static LibraryFile open(Path root, List<String> dirs, String name, Policy policy) throws IOException {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment state = arena.allocate(Linker.Option.captureStateLayout());
                MemorySegment stat = arena.allocate(256, 8); // struct statx
                MemorySegment empty = arena.allocateFrom("");
                int dir = openat(state, AT_FDCWD, arena, root.toString(), DIRECTORY_FLAGS);
                if (dir < 0 && errno(state) == ENOENT && policy.create) {
                    createRoot(root);
                    dir = openat(state, AT_FDCWD, arena, root.toString(), DIRECTORY_FLAGS);
                }
                if (dir < 0) {
                    return absent(state, root);
                }
                try {
                    Path p = root;
                    for (int i = -1; i < dirs.size(); i++) {
                        if (i >= 0) {
                            p = p.resolve(dirs.get(i));
                            int next = openat(state, dir, arena, dirs.get(i), DIRECTORY_FLAGS);
                            if (next < 0 && errno(state) == ENOENT && policy.create) {
                                try { // in the directory just checked, which only this user can change
                                    Files.createDirectory(p, PRIVATE_DIRECTORY);
                                } catch (FileAlreadyExistsException e) {
                                    // made at the same time by another JVM; the open below decides
                                }
                                next = openat(state, dir, arena, dirs.get(i), DIRECTORY_FLAGS);
                            }
                            if (next < 0) {
                                return absent(state, p);
                            }
                            close(dir);
                            dir = next;
                        }
                        if (policy.checkDirectories) {
                            checkOpen(dir, stat, empty, state, p, true, policy);
                        }
                    }
                    Path file = p.resolve(name);
                    int fd = openat(state, dir, arena, name, FILE_FLAGS);
                    if (fd < 0) {
                        return absent(state, file);
                    }
                    try {
                        checkOpen(fd, stat, empty, state, file, false, policy);
                    } catch (IOException | RuntimeException e) {
                        close(fd);
                        throw e;
                    }
                    return new LibraryFile(file, fd, null);
                } finally {
                    close(dir);
                }
            } catch (IOException | RuntimeException | Error e) {
                throw e;
            } catch (Throwable t) { // an exact native call throws nothing checked
                throw new IllegalStateException(t);
            }
        }

        private static int openat(MemorySegment state, int dir, Arena arena, String name, int flags) throws Throwable {
            return (int) OPENAT.invokeExact(state, dir, arena.allocateFrom(name), flags);
        }

        /** Null for a missing path; a link, or any other failure to open, is reported. */
        private static LibraryFile absent(MemorySegment state, Path p) throws IOException {
            int errno = errno(state);
            if (errno == ENOENT) {
                return null;
            }
            // O_DIRECTORY makes a link to a directory fail with ENOTDIR, not ELOOP; lstat only names which it was
            throw errno == ELOOP || (errno == ENOTDIR && Files.isSymbolicLink(p))
                    ? new Untrusted(p, "is a symbolic link (not followed)")
                    : errno == ENOTDIR
                            ? new Untrusted(p, "is not a directory")
                            : new IOException(p + " cannot be opened: " + strerror(errno));
        }

        private static void checkOpen(
                int fd,
                MemorySegment stat,
                MemorySegment empty,
                MemorySegment state,
                Path p,
                boolean directory,
                Policy policy)
                throws Throwable {
            int r = (int) STATX.invokeExact(state, fd, empty, AT_EMPTY_PATH, 0x7ff, stat);
            if (r != 0 || (stat.get(JAVA_INT, 0) & STATX_TYPE_MODE_UID) != STATX_TYPE_MODE_UID) {
                throw new IOException(p + " cannot be examined: " + strerror(errno(state)));
            }
            // struct statx: stx_uid at 20, stx_mode (16 bits) at 28
            check(p, directory, stat.get(JAVA_SHORT, 28) & 0xFFFF, stat.get(JAVA_INT, 20), policy);
        }

        static String sha256(int fd) throws IOException {
            MessageDigest digest = NativeJar.sha256Digest();
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment state = arena.allocate(Linker.Option.captureStateLayout());
                MemorySegment buffer = arena.allocate(1 << 20);
                byte[] chunk = new byte[(int) buffer.byteSize()]; // a heap array: digests hash it without copying
                for (long offset = 0; ; ) {
                    long n = (long) PREAD.invokeExact(state, fd, buffer, buffer.byteSize(), offset);
                    if (n < 0) {
                        throw new IOException("cannot read the library: " + strerror(errno(state)));
                    }
                    if (n == 0) {
                        return HexFormat.of().formatHex(digest.digest());
                    }
                    MemorySegment.copy(buffer, JAVA_BYTE, 0, chunk, 0, (int) n);
                    digest.update(chunk, 0, (int) n);
                    offset += n;
                }
            } catch (IOException | RuntimeException | Error e) {
                throw e;
            } catch (Throwable t) {
                throw new IllegalStateException(t);
            }
        }

        static void close(int fd) {
            try {
                int ignored = (int) CLOSE.invokeExact(fd);
            } catch (Throwable t) {
                throw new IllegalStateException(t);
            }
        }

        private static int errno(MemorySegment state) {
            return (int) ERRNO.get(state, 0L);
        }

        private static String strerror(int errno) {
            return "errno " + errno;
        }
    }
}
