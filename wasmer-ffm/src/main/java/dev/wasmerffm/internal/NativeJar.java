package dev.wasmerffm.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.stream.Stream;

/**
 * libwasmer from the platform jar {@code dev.wasmerffm:wasmer-native:<classifier>}. Its files sit under
 * {@code META-INF/wasmer-native/<classifier>/} and are read as classpath resources, so a jar nested in a Spring Boot
 * executable jar works too. The library is extracted once per user into a directory named by its SHA-256; at every
 * load the extracted copy is opened, checked ({@link LibraryFile}) and hashed, and exactly that open file is loaded:
 * a copy that does not match is extracted again. No stamp saves the hash (about 0.1 to 0.4 s): a stamp is a file too.
 */
public final class NativeJar {

    private static final System.Logger LOG = System.getLogger("dev.wasmerffm.WasmerLibrary");
    private static final String RESOURCES = "META-INF/wasmer-native/";

    /** The classifier suffix of the jar whose library has Wasmer's singlepass compiler (not MIT: BSL 1.1). */
    public static final String SINGLEPASS = "-singlepass";

    private NativeJar() {}

    /** The platform jar's library does not match the hash it records: no other directory would help. */
    public static final class Refusal extends IOException {
        Refusal(String message) {
            super(message);
        }
    }

    /**
     * A place to extract to: {@code root} itself, reused by later starts, or (fresh) a new private directory made
     * in {@code root} for this JVM alone and deleted when it exits.
     */
    public record Location(Path root, boolean fresh) {
        @Override
        public String toString() {
            return fresh ? "a fresh private directory in " + root : root.toString();
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

    /** The Maven coordinates (groupId:artifactId:classifier) of a jar holding libwasmer. */
    public static String coordinates(String classifier) {
        return "dev.wasmerffm:wasmer-native:" + classifier;
    }

    /**
     * The classifier of the platform's jar on the classpath: the singlepass one when it is there (it is what adding
     * it asks for; its library also has everything the default one has), else the default; null when neither is.
     */
    public static String classifierOnClasspath(String platform) {
        for (String classifier : List.of(platform + SINGLEPASS, platform)) {
            if (NativeJar.class.getClassLoader().getResource(properties(classifier)) != null) {
                return classifier;
            }
        }
        return null;
    }

    private static String properties(String classifier) {
        return RESOURCES + classifier + "/wasmer-native.properties";
    }

    /**
     * Where extracted libraries go: the build cache's directory ({@code ~/.cache/wasmer-java}); else, when that
     * cannot be used (a read-only home, a directory another user can write), a per-user directory in
     * {@code java.io.tmpdir}; else (that name taken by someone else) a fresh private directory there.
     */
    public static List<Location> locations() {
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        return List.of(
                new Location(Loader.cacheRoot(), false),
                new Location(tmp.resolve("wasmer-java-" + user()), false),
                new Location(tmp, true));
    }

    private static String user() {
        return System.getProperty("user.name").replaceAll("[^A-Za-z0-9._-]", "_");
    }

    /**
     * The verified library of a jar on the classpath, open and ready to load, from the first of {@code locations}
     * that can be used; each one that cannot is added to {@code tried} with the reason.
     *
     * @return null when the jar is not on the classpath
     * @throws IOException naming each location and why it could not be used; a {@link Refusal} when the jar's
     *     library does not match its recorded hash
     */
    public static LibraryFile extract(String classifier, List<Location> locations, List<String> tried)
            throws IOException {
        Properties jar = new Properties();
        try (InputStream in = NativeJar.class.getClassLoader().getResourceAsStream(properties(classifier))) {
            if (in == null) {
                return null;
            }
            jar.load(in);
        }
        List<String> failures = new ArrayList<>();
        for (Location location : locations) {
            try {
                return location.fresh
                        ? extractFresh(classifier, jar, location.root)
                        : verified(classifier, jar, location.root);
            } catch (Refusal e) {
                throw e;
            } catch (IOException e) {
                String why = location + ": " + e.getMessage();
                failures.add(why);
                tried.add("platform jar " + coordinates(classifier) + ", extracted to " + why);
                LOG.log(System.Logger.Level.WARNING, "libwasmer not extracted to {0}; trying the next place", why);
            }
        }
        throw new IOException("no place to extract it to could be used: " + String.join("; ", failures));
    }

    private static LibraryFile extractFresh(String classifier, Properties jar, Path parent) throws IOException {
        Path root = Files.createTempDirectory(parent, "wasmer-java-" + user() + "-", LibraryFile.PRIVATE_DIRECTORY);
        try {
            return verified(classifier, jar, root);
        } finally { // used or not, it goes when this JVM exits; parents first: deleteOnExit runs in reverse order
            try (Stream<Path> files = Files.walk(root)) {
                files.forEach(f -> f.toFile().deleteOnExit());
            }
        }
    }

    /** The library in {@code root}, checked and hashed; extracted (again) when missing or not matching. */
    private static LibraryFile verified(String classifier, Properties jar, Path root) throws IOException {
        String sha256 = jar.getProperty("sha256");
        String version = jar.getProperty("wasmer.version") + "-" + sha256;
        List<String> dirs = List.of("native", version, "lib");
        LibraryFile lib = LibraryFile.open(root, dirs, Loader.FILE_NAME, LibraryFile.Policy.EXTRACT);
        if (lib != null) {
            if (sha256.equals(lib.sha256())) {
                return lib;
            }
            lib.close();
            LOG.log(
                    System.Logger.Level.WARNING,
                    "{0} does not match its SHA-256 {1}; extracting it again",
                    lib.path(),
                    sha256);
        }
        long start = System.nanoTime();
        String base = RESOURCES + classifier + "/";
        Path dir = root.resolve("native").resolve(version);
        // Headers first: a library in place means its headers are complete too.
        for (String header : jar.getProperty("include").split(" ")) {
            publish(base + "include/" + header, dir.resolve("include").resolve(header), null);
        }
        publish(base + "lib/" + Loader.FILE_NAME, dir.resolve("lib").resolve(Loader.FILE_NAME), sha256);
        lib = LibraryFile.open(root, dirs, Loader.FILE_NAME, LibraryFile.Policy.EXTRACT);
        if (lib == null || !sha256.equals(lib.sha256())) {
            if (lib != null) {
                lib.close();
            }
            throw new IOException(dir + " lost or changed the library just extracted there");
        }
        LOG.log(
                System.Logger.Level.INFO,
                "extracted libwasmer {0} ({1}) to {2} in {3} ms",
                jar.getProperty("wasmer.version"),
                classifier,
                lib.path(),
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
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
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
