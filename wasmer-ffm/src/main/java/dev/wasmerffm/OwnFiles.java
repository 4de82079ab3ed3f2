package dev.wasmerffm;

import java.io.IOException;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.EnumSet;
import java.util.Set;

/**
 * Files only this user can have written: what a module cache trusts before loading native code from a directory.
 * POSIX only (owner and mode bits); a file system without them is refused.
 */
final class OwnFiles {

    private static final Set<PosixFilePermission> OTHERS_WRITE =
            EnumSet.of(PosixFilePermission.GROUP_WRITE, PosixFilePermission.OTHERS_WRITE);
    private static final Set<PosixFilePermission> GROUP_OR_OTHERS = EnumSet.complementOf(
            EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE,
                    PosixFilePermission.OWNER_EXECUTE));

    private OwnFiles() {
    }

    /** The effective uid of this process, which owns what it creates. */
    static int currentUid() {
        Linker linker = Linker.nativeLinker();
        MethodHandle geteuid = linker.downcallHandle(linker.defaultLookup().find("geteuid").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.JAVA_INT));
        try {
            return (int) geteuid.invokeExact();
        } catch (Throwable t) {
            throw new IllegalStateException("geteuid failed", t);
        }
    }

    /**
     * Creates {@code dir} (and missing parents) {@code 0700}, or checks an existing one (links followed) is a
     * directory of this user's that group and others cannot write.
     *
     * @throws CacheDirectoryException naming the directory and the fix otherwise
     */
    static void directory(Path dir) {
        try {
            if (!Files.isDirectory(dir)) {
                Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions
                        .fromString("rwx------")));
            }
            PosixFileAttributes a = Files.readAttributes(dir, PosixFileAttributes.class); // a directory now
            owned(dir, a, "set a cache directory of your own (the default is under ~/.cache)");
            if (a.permissions().stream().anyMatch(OTHERS_WRITE::contains)) {
                throw new CacheDirectoryException(dir, "is writable by group or others ("
                        + PosixFilePermissions.toString(a.permissions()) + "), so anyone could plant artifacts",
                        "run chmod go-w " + dir + " or set a cache directory of your own");
            }
        } catch (IOException e) { // e.g. a file of that name
            throw new CacheDirectoryException(dir, "cannot be created or read (" + e + ")",
                    "set a cache directory this user can create");
        } catch (UnsupportedOperationException e) {
            throw notPosix(dir);
        }
    }

    /**
     * The secret in {@code file}, made ({@code 0600}, {@code length} random bytes) if absent. An existing file must
     * be a regular file (not a link) of this user's that no one else can read or write, holding at least
     * {@code length} bytes.
     *
     * @throws CacheDirectoryException naming the file and the fix otherwise
     */
    static byte[] secret(Path file, int length) {
        try {
            if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
                create(file, length);
            }
            PosixFileAttributes a = Files.readAttributes(file, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            String fix = "delete it (a new key is made, entries sealed with the old one are recompiled) or give the"
                    + " cache a key";
            if (!a.isRegularFile()) {
                throw new CacheDirectoryException(file, "is not a regular file", fix);
            }
            owned(file, a, fix);
            if (a.permissions().stream().anyMatch(GROUP_OR_OTHERS::contains)) {
                throw new CacheDirectoryException(file, "is accessible to group or others ("
                        + PosixFilePermissions.toString(a.permissions()) + "), so others may know or choose the key",
                        "run chmod 600 " + file + " if no one else had it, else " + fix);
            }
            byte[] secret = Files.readAllBytes(file);
            if (secret.length < length) {
                throw new CacheDirectoryException(file, "holds " + secret.length + " bytes, fewer than " + length,
                        fix);
            }
            return secret;
        } catch (IOException e) {
            throw new CacheDirectoryException(file, "cannot be read (" + e + ")", "make it readable by this user");
        } catch (UnsupportedOperationException e) {
            throw notPosix(file);
        }
    }

    /** Writes a new secret beside {@code file} and links it in place, never replacing one another process made. */
    private static void create(Path file, int length) throws IOException {
        byte[] secret = new byte[length];
        new SecureRandom().nextBytes(secret);
        Path tmp = Files.createTempFile(file.getParent(), file.getFileName().toString(), ".tmp",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try {
            Files.write(tmp, secret);
            Files.createLink(file, tmp);
        } catch (FileAlreadyExistsException raced) {
            // another process made it first: use theirs
        } finally {
            Files.delete(tmp);
        }
    }

    private static CacheDirectoryException notPosix(Path p) {
        return new CacheDirectoryException(p, "is on a file system without POSIX owners and permissions",
                "set a cache directory on a POSIX file system");
    }

    private static void owned(Path p, PosixFileAttributes a, String fix) throws IOException {
        int uid = (Integer) Files.getAttribute(p, "unix:uid");
        int me = currentUid();
        if (uid != me) {
            throw new CacheDirectoryException(p, "is owned by " + a.owner().getName() + " (uid " + uid
                    + "), not by this user (uid " + me + "), who could plant artifacts or choose the key", fix);
        }
    }
}
