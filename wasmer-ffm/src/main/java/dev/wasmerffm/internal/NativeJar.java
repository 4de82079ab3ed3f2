package dev.wasmerffm.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * libwasmer from the platform jar {@code dev.wasmerffm:wasmer-native:<platform>}. Its files sit under
 * {@code META-INF/wasmer-native/<platform>/} and are read as classpath resources, so a jar nested in a Spring Boot
 * executable jar works too. The library is extracted once per user into a directory named by its SHA-256, and the
 * extracted copy is checked against that hash: a truncated or altered file is extracted again. Hashing 40 MB costs
 * more than the rest of a start, so a copy once verified is hashed again only when its size, modification time or
 * file identity (inode) changed since: writing to it changes its time, replacing it its identity, and the directory
 * is the user's own (no one else can do either).
 */
public final class NativeJar {

    private static final System.Logger LOG = System.getLogger("dev.wasmerffm.WasmerLibrary");
    private static final String RESOURCES = "META-INF/wasmer-native/";

    private NativeJar() {}

    /** A directory or file that must not be used, so trying another extraction directory would not help. */
    public static final class Refusal extends IOException {
        Refusal(String message) {
            super(message);
        }
    }

    /** The running platform as the jars' classifiers spell it: {@code linux-x86_64}, {@code osx-aarch64}, ... */
    public static String platform() {
        String os = System.getProperty("os.name").toLowerCase(Locale.ROOT);
        return (os.startsWith("mac") ? "osx" : os.startsWith("windows") ? "windows" : os.replace(' ', '-')) + "-"
                + hostArch();
    }

    /** The architecture this JVM runs on, in target-triple spelling ({@code x86_64}, {@code aarch64}, ...). */
    public static String hostArch() {
        String arch = System.getProperty("os.arch").toLowerCase(Locale.ROOT);
        return switch (arch) {
            case "amd64", "x86_64" -> "x86_64";
            case "aarch64", "arm64" -> "aarch64";
            default -> arch;
        };
    }

    /** The Maven coordinates (groupId:artifactId:classifier) of the jar holding libwasmer for a platform. */
    public static String coordinates(String platform) {
        return "dev.wasmerffm:wasmer-native:" + platform;
    }

    /**
     * Where extracted libraries go: {@code native/} in the build cache's directory ({@code ~/.cache/wasmer-java}),
     * else, when that cannot be written (a read-only home), a per-user directory in {@code java.io.tmpdir}.
     */
    public static List<Path> roots() {
        String user = System.getProperty("user.name").replaceAll("[^A-Za-z0-9._-]", "_");
        return List.of(
                Loader.cacheRoot().resolve("native"),
                Path.of(System.getProperty("java.io.tmpdir"), "wasmer-java-" + user, "native"));
    }

    /**
     * The extracted and verified library of the platform's jar, or {@code null} when that jar is not on the classpath.
     * The first of {@code roots} that can be written is used.
     *
     * @throws IOException if no root can be used; a {@link Refusal} when a directory other users can write is met
     *     or the jar's library does not match its recorded hash
     */
    public static Path extract(String platform, List<Path> roots) throws IOException {
        String base = RESOURCES + platform + "/";
        Properties jar = new Properties();
        try (InputStream in = NativeJar.class.getClassLoader().getResourceAsStream(base + "wasmer-native.properties")) {
            if (in == null) {
                return null;
            }
            jar.load(in);
        }
        IOException failed = null;
        for (Path root : roots) {
            try {
                return extract(base, jar, root);
            } catch (Refusal e) {
                throw e;
            } catch (IOException e) {
                if (failed != null) {
                    e.addSuppressed(failed);
                }
                failed = e;
            }
        }
        throw failed;
    }

    private static Path extract(String base, Properties jar, Path root) throws IOException {
        String sha256 = jar.getProperty("sha256");
        createPrivateDirectories(root);
        requirePrivate(root.getParent());
        requirePrivate(root);
        Path dir = root.resolve(jar.getProperty("wasmer.version") + "-" + sha256);
        createPrivateDirectories(dir);
        requirePrivate(dir);
        Path lib = dir.resolve("lib").resolve(Loader.FILE_NAME);
        if (Files.isRegularFile(lib)) {
            if (verifiedBefore(lib, sha256)) {
                return lib;
            }
            if (sha256.equals(sha256(lib))) {
                markVerified(lib, sha256);
                return lib;
            }
            LOG.log(
                    System.Logger.Level.WARNING,
                    "{0} does not match its SHA-256 {1}; extracting it again",
                    lib,
                    sha256);
        }
        long start = System.nanoTime();
        // Headers first: a library in place means its headers are complete too.
        for (String header : jar.getProperty("include").split(" ")) {
            publish(base + "include/" + header, dir.resolve("include").resolve(header), null);
        }
        publish(base + "lib/" + Loader.FILE_NAME, lib, sha256);
        markVerified(lib, sha256);
        LOG.log(
                System.Logger.Level.INFO,
                "extracted libwasmer {0} ({1}) to {2} in {3} ms",
                jar.getProperty("wasmer.version"),
                jar.getProperty("platform"),
                lib,
                (System.nanoTime() - start) / 1_000_000);
        return lib;
    }

    /**
     * Copies a resource to a temporary file next to {@code target}, checks it, and renames it into place: other JVMs
     * see no file or a whole one, and when several extract at once the last rename wins with identical content.
     */
    private static void publish(String resource, Path target, String sha256) throws IOException {
        Files.createDirectories(target.getParent());
        deleteAbandoned(target.getParent());
        Path tmp = Files.createTempFile(target.getParent(), "." + target.getFileName(), ".tmp");
        try {
            MessageDigest digest = sha256Digest();
            try (InputStream in = NativeJar.class.getClassLoader().getResourceAsStream(resource);
                    OutputStream out = new DigestOutputStream(Files.newOutputStream(tmp), digest)) {
                if (in == null) {
                    throw new NoSuchFileException(resource, null, "missing from the platform jar");
                }
                in.transferTo(out);
            }
            if (sha256 != null && !sha256.equals(HexFormat.of().formatHex(digest.digest()))) {
                throw new Refusal(resource + " in the platform jar does not match its SHA-256 " + sha256
                        + ": the jar is corrupt");
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                // Windows cannot replace a library another JVM has loaded; theirs is as good when it verifies.
                if (sha256 == null || !Files.isRegularFile(target) || !sha256.equals(sha256(target))) {
                    throw e;
                }
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** The file's hash as verified, with what would change if the file did: size, time, identity. */
    private static String stamp(Path lib, String sha256) throws IOException {
        BasicFileAttributes a = Files.readAttributes(lib, BasicFileAttributes.class);
        return sha256 + " " + a.size() + " " + a.lastModifiedTime().to(TimeUnit.NANOSECONDS) + " " + a.fileKey();
    }

    private static Path marker(Path lib) {
        return lib.resolveSibling(".verified"); // a name without "libwasmer": it is no library
    }

    /** Whether {@code lib} was verified against {@code sha256} and has not changed since. */
    private static boolean verifiedBefore(Path lib, String sha256) throws IOException {
        Path marker = marker(lib);
        return Files.isRegularFile(marker) && Files.readString(marker).equals(stamp(lib, sha256));
    }

    /** Records that {@code lib} matched its hash; written whole (renamed into place) or not at all. */
    private static void markVerified(Path lib, String sha256) throws IOException {
        Path tmp = Files.createTempFile(lib.getParent(), ".verified", ".tmp");
        try {
            Files.writeString(tmp, stamp(lib, sha256));
            Files.move(tmp, marker(lib), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Deletes what a JVM killed while extracting left; a file still being written is never a minute old. */
    private static void deleteAbandoned(Path dir) throws IOException {
        FileTime minuteAgo = FileTime.from(Instant.now().minusSeconds(60));
        try (DirectoryStream<Path> temporaries = Files.newDirectoryStream(dir, ".*.tmp")) {
            for (Path t : temporaries) {
                try {
                    if (Files.getLastModifiedTime(t).compareTo(minuteAgo) < 0) {
                        Files.deleteIfExists(t);
                    }
                } catch (NoSuchFileException e) {
                    // another JVM has just renamed its file into place
                }
            }
        }
    }

    private static void createPrivateDirectories(Path dir) throws IOException {
        if (isPosix(dir)) {
            OwnFiles.createPrivate(dir);
        } else {
            Files.createDirectories(dir);
        }
    }

    /**
     * Refuses a directory another user could write: they could swap the library between our check and the load.
     * POSIX only: Windows ACLs are not checked (the default ACL of a user's profile directory is private).
     */
    private static void requirePrivate(Path dir) throws IOException {
        String why = isPosix(dir) ? OwnFiles.notPrivate(dir) : null;
        if (why != null) {
            throw new Refusal(dir + " " + why + ": another user could replace libwasmer there; libwasmer is only"
                    + " loaded from the user's own directory (run chmod go-w " + dir + " if it is yours)");
        }
    }

    private static boolean isPosix(Path dir) {
        return dir.getFileSystem().supportedFileAttributeViews().contains("posix");
    }

    public static String sha256(Path file) throws IOException {
        MessageDigest digest = sha256Digest();
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buffer = new byte[1 << 16];
            for (int n; (n = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    public static MessageDigest sha256Digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
