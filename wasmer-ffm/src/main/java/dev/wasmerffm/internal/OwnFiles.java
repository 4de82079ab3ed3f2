package dev.wasmerffm.internal;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.io.IOException;
import java.lang.foreign.FunctionDescriptor;
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
public final class OwnFiles {

    /** A directory or file someone else could have planted or could change; the caller names what it was for. */
    public static final class Refused extends RuntimeException {
        private final transient Path path;
        private final String problem;
        private final String fix;

        Refused(Path path, String problem, String fix) {
            super(path + " " + problem + ": " + fix);
            this.path = path;
            this.problem = problem;
            this.fix = fix;
        }

        public Path path() {
            return path;
        }

        public String problem() {
            return problem;
        }

        public String fix() {
            return fix;
        }
    }

    private static final Set<PosixFilePermission> OTHERS_WRITE =
            EnumSet.of(PosixFilePermission.GROUP_WRITE, PosixFilePermission.OTHERS_WRITE);
    private static final Set<PosixFilePermission> GROUP_OR_OTHERS = EnumSet.complementOf(EnumSet.of(
            PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_EXECUTE));

    private OwnFiles() {}

    /** {@code geteuid()}: the uid whose files are trusted; read once, it cannot change in a JVM. */
    private static final MethodHandle GETEUID = Native.LINKER.downcallHandle(
            Native.LINKER.defaultLookup().find("geteuid").orElseThrow(), FunctionDescriptor.of(JAVA_INT));

    /** The uid this process creates files with and whose files it trusts. */
    public static int currentUid() throws IOException {
        try {
            return (int) GETEUID.invokeExact();
        } catch (Throwable t) { // an exact native call throws nothing checked
            throw new IllegalStateException(t);
        }
    }

    /** Creates {@code dir} and missing parents {@code 0700}; an existing directory is left as it is. */
    private static void createPrivate(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(
                    dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        }
    }

    /**
     * Why another user could change what is in {@code dir} (links followed): it is theirs, or group or others can
     * write it; null when it is this user's own.
     */
    private static String notPrivate(Path dir) throws IOException {
        PosixFileAttributes a = Files.readAttributes(dir, PosixFileAttributes.class);
        String foreign = foreignOwner(dir, a);
        if (foreign != null) {
            return foreign;
        }
        return a.permissions().stream().anyMatch(OTHERS_WRITE::contains)
                ? "is writable by group or others (" + PosixFilePermissions.toString(a.permissions()) + ")"
                : null;
    }

    /**
     * Creates {@code dir} (and missing parents) {@code 0700}, or checks an existing one is a directory of this
     * user's that group and others cannot write.
     *
     * @throws Refused naming the directory and the fix otherwise
     */
    public static void directory(Path dir) {
        try {
            createPrivate(dir);
            String why = notPrivate(dir);
            if (why != null) {
                throw new Refused(
                        dir,
                        why + ", so others could plant artifacts",
                        why.startsWith("is owned")
                                ? "set a cache directory of your own (the default is under ~/.cache)"
                                : "run chmod go-w " + dir + " or set a cache directory of your own");
            }
        } catch (IOException e) { // e.g. a file of that name
            throw new Refused(
                    dir, "cannot be created or read (" + e + ")", "set a cache directory this user can create");
        } catch (UnsupportedOperationException e) {
            throw notPosix(dir);
        }
    }

    /**
     * The secret in {@code file}, made ({@code 0600}, {@code length} random bytes) if absent. An existing file must
     * be a regular file (not a link) of this user's that no one else can read or write, holding at least
     * {@code length} bytes.
     *
     * @throws Refused naming the file and the fix otherwise
     */
    public static byte[] secret(Path file, int length) {
        try {
            if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
                create(file, length);
            }
            PosixFileAttributes a = Files.readAttributes(file, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            String fix = "delete it (a new key is made, entries sealed with the old one are recompiled) or give the"
                    + " cache a key";
            if (!a.isRegularFile()) {
                throw new Refused(file, "is not a regular file", fix);
            }
            String foreign = foreignOwner(file, a);
            if (foreign != null) {
                throw new Refused(file, foreign + ", who could know or choose the key", fix);
            }
            if (a.permissions().stream().anyMatch(GROUP_OR_OTHERS::contains)) {
                throw new Refused(
                        file,
                        "is accessible to group or others (" + PosixFilePermissions.toString(a.permissions())
                                + "), so others may know or choose the key",
                        "run chmod 600 " + file + " if no one else had it, else " + fix);
            }
            byte[] secret = Files.readAllBytes(file);
            if (secret.length < length) {
                throw new Refused(file, "holds " + secret.length + " bytes, fewer than " + length, fix);
            }
            return secret;
        } catch (IOException e) {
            throw new Refused(file, "cannot be read (" + e + ")", "make it readable by this user");
        } catch (UnsupportedOperationException e) {
            throw notPosix(file);
        }
    }

    /** Writes a new secret beside {@code file} and links it in place, never replacing one another process made. */
    private static void create(Path file, int length) throws IOException {
        byte[] secret = new byte[length];
        new SecureRandom().nextBytes(secret);
        Path tmp = Files.createTempFile(
                file.getParent(),
                file.getFileName().toString(),
                ".tmp",
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

    private static Refused notPosix(Path p) {
        return new Refused(
                p,
                "is on a file system without POSIX owners and permissions",
                "set a cache directory on a POSIX file system");
    }

    /** Why {@code p} is not this user's (its owner and uid), or null when it is. */
    private static String foreignOwner(Path p, PosixFileAttributes a) throws IOException {
        int uid = (Integer) Files.getAttribute(p, "unix:uid");
        int me = currentUid();
        return uid == me
                ? null
                : "is owned by " + a.owner().getName() + " (uid " + uid + "), not by this user (uid " + me + ")";
    }
}
