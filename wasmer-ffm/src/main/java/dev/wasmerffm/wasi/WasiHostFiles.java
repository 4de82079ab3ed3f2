package dev.wasmerffm.wasi;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The file calls the descriptor layer answers from the host file system, on paths {@link WasiPaths} resolved inside
 * a mapped directory, where libwasmer's answers differ from WASI runtimes': stat (libwasmer's inode numbers are
 * hashes of the host path, so two links to one file differ, and its directory entries have none), setting times
 * (it changes only its own cache), symlinks (it keeps them in memory and cannot read one into a short buffer), hard
 * links (unsupported) and directory listings. Each writes its result into guest memory in preview 1's layout, or
 * preview 0's ({@code wasi_unstable}) where that differs.
 */
final class WasiHostFiles {

    static final byte FILETYPE_UNKNOWN = 0;
    static final byte FILETYPE_BLOCK_DEVICE = 1;
    static final byte FILETYPE_CHARACTER_DEVICE = 2;
    static final byte FILETYPE_DIRECTORY = 3;
    static final byte FILETYPE_REGULAR_FILE = 4;
    static final byte FILETYPE_SOCKET_STREAM = 6;
    static final byte FILETYPE_SYMBOLIC_LINK = 7;

    /** fstflags of path_filestat_set_times. */
    private static final int ATIM = 1;

    private static final int ATIM_NOW = 2;
    private static final int MTIM = 4;
    private static final int MTIM_NOW = 8;
    /** A dirent: d_next, d_ino, d_namlen, d_type, padding; then the name. */
    private static final int DIRENT = 24;

    private static final String UNIX = "unix:dev,ino,mode,nlink,size,lastAccessTime,lastModifiedTime,ctime";

    private WasiHostFiles() {}

    /** What stat says of a host file. */
    record Stat(long dev, long ino, byte filetype, long nlink, long size, long atim, long mtim, long ctim) {}

    /** {@code p}'s stat ({@code p} itself when it is a symlink); the basic attributes where there is no unix view. */
    static Stat stat(Path p) throws IOException {
        Map<String, Object> a;
        try {
            a = Files.readAttributes(p, UNIX, LinkOption.NOFOLLOW_LINKS);
        } catch (UnsupportedOperationException | IllegalArgumentException e) {
            BasicFileAttributes b = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            byte type = b.isDirectory()
                    ? FILETYPE_DIRECTORY
                    : b.isSymbolicLink() ? FILETYPE_SYMBOLIC_LINK : b.isRegularFile() ? FILETYPE_REGULAR_FILE : 0;
            return new Stat(
                    0,
                    0,
                    type,
                    1,
                    b.size(),
                    nanos(b.lastAccessTime()),
                    nanos(b.lastModifiedTime()),
                    nanos(b.creationTime()));
        }
        return new Stat(
                ((Number) a.get("dev")).longValue(),
                ((Number) a.get("ino")).longValue(),
                filetype((Integer) a.get("mode")),
                ((Number) a.get("nlink")).longValue(),
                (Long) a.get("size"),
                nanos((FileTime) a.get("lastAccessTime")),
                nanos((FileTime) a.get("lastModifiedTime")),
                nanos((FileTime) a.get("ctime")));
    }

    private static long nanos(FileTime t) {
        return t.to(TimeUnit.NANOSECONDS);
    }

    private static byte filetype(int mode) {
        return switch (mode & 0170000) {
            case 0040000 -> FILETYPE_DIRECTORY;
            case 0100000 -> FILETYPE_REGULAR_FILE;
            case 0120000 -> FILETYPE_SYMBOLIC_LINK;
            case 0020000 -> FILETYPE_CHARACTER_DEVICE;
            case 0060000 -> FILETYPE_BLOCK_DEVICE;
            case 0140000 -> FILETYPE_SOCKET_STREAM;
            default -> FILETYPE_UNKNOWN;
        };
    }

    /** Writes {@code s} as a filestat at {@code at}: 64 bytes in preview 1, 56 in preview 0 (nlink is 32 bits). */
    static void writeFilestat(MemorySegment mem, long at, boolean preview0, Stat s) {
        mem.asSlice(at, preview0 ? 56 : 64).fill((byte) 0);
        mem.set(JAVA_LONG_UNALIGNED, at, s.dev());
        mem.set(JAVA_LONG_UNALIGNED, at + 8, s.ino());
        mem.set(JAVA_BYTE, at + 16, s.filetype());
        if (preview0) {
            mem.set(JAVA_INT_UNALIGNED, at + 20, (int) s.nlink());
        } else {
            mem.set(JAVA_LONG_UNALIGNED, at + 24, s.nlink());
        }
        long times = preview0 ? at + 24 : at + 32;
        mem.set(JAVA_LONG_UNALIGNED, times, s.size());
        mem.set(JAVA_LONG_UNALIGNED, times + 8, s.atim());
        mem.set(JAVA_LONG_UNALIGNED, times + 16, s.mtim());
        mem.set(JAVA_LONG_UNALIGNED, times + 24, s.ctim());
    }

    /** path_filestat_set_times on {@code p} (the symlink itself unless it was followed). */
    static int setTimes(Path p, long atim, long mtim, int flags) {
        if ((flags & ATIM) != 0 && (flags & ATIM_NOW) != 0 || (flags & MTIM) != 0 && (flags & MTIM_NOW) != 0) {
            return WasiErrno.INVAL;
        }
        FileTime now = FileTime.from(Instant.now());
        FileTime a =
                (flags & ATIM_NOW) != 0 ? now : (flags & ATIM) != 0 ? FileTime.from(atim, TimeUnit.NANOSECONDS) : null;
        FileTime m =
                (flags & MTIM_NOW) != 0 ? now : (flags & MTIM) != 0 ? FileTime.from(mtim, TimeUnit.NANOSECONDS) : null;
        try {
            Files.getFileAttributeView(p, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                    .setTimes(m, a, null);
            return 0;
        } catch (IOException e) {
            return WasiErrno.of(e);
        }
    }

    /**
     * fd_readdir of host directory {@code dir}: ".", ".." and its entries sorted by their UTF-8 bytes (as
     * libwasmer sorts them, so cookies stay as it numbered them), from the one after {@code cookie}, as many as fit
     * in {@code len} bytes at {@code buf} (the last one cut off when it does not). ".." of a mapped directory's root
     * describes the root itself: nothing outside it is looked at. Returns the bytes used.
     */
    static long readdir(Path dir, Path parent, MemorySegment mem, long buf, long len, long cookie) throws IOException {
        List<byte[]> names = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path e : entries) {
                names.add(e.getFileName().toString().getBytes(StandardCharsets.UTF_8));
            }
        }
        names.add(new byte[] {'.'});
        names.add(new byte[] {'.', '.'});
        names.sort(Arrays::compareUnsigned);
        long used = 0;
        for (long i = cookie; Long.compareUnsigned(i, names.size()) < 0 && used < len; i++) {
            byte[] name = names.get((int) i);
            String n = new String(name, StandardCharsets.UTF_8);
            Stat s;
            try {
                s = stat(n.equals(".") ? dir : n.equals("..") ? parent : dir.resolve(n));
            } catch (IOException e) {
                s = new Stat(0, 0, FILETYPE_UNKNOWN, 0, 0, 0, 0, 0); // gone since it was listed
            }
            byte[] entry = new byte[DIRENT + name.length];
            MemorySegment e = MemorySegment.ofArray(entry);
            e.set(JAVA_LONG_UNALIGNED, 0, i + 1);
            e.set(JAVA_LONG_UNALIGNED, 8, s.ino());
            e.set(JAVA_INT_UNALIGNED, 16, name.length);
            e.set(JAVA_BYTE, 20, s.filetype());
            System.arraycopy(name, 0, entry, DIRENT, name.length);
            int fits = (int) Math.min(entry.length, len - used);
            MemorySegment.copy(entry, 0, mem, JAVA_BYTE, buf + used, fits);
            used += fits;
        }
        return used;
    }
}
