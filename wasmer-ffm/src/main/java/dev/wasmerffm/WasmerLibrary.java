package dev.wasmerffm;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.SymbolLookup;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Properties;

/**
 * Finds and loads libwasmer, once per JVM. It is never unloaded: libwasmer installs process-wide signal handlers
 * whose code lives in the library.
 *
 * <p>Places tried, in order: the system property {@value #PATH_PROPERTY} (a file, or a directory holding
 * {@code lib/libwasmer.so}), {@code $WASMER_DIR/lib}, {@code ~/.wasmer/lib}, and the cache the project's build
 * fills ({@code ~/.cache/wasmer-java/wasmer-<version>-<features hash>/lib}).
 */
public final class WasmerLibrary {

    /** System property naming libwasmer explicitly (a file or a Wasmer directory). */
    public static final String PATH_PROPERTY = "wasmer.library.path";

    static final String FILE_NAME = System.mapLibraryName("wasmer");

    private static volatile Loaded loaded;

    private record Loaded(Path path, SymbolLookup lookup) {
    }

    private WasmerLibrary() {
    }

    /**
     * Loads libwasmer if that has not happened yet.
     *
     * @return the path of the loaded library
     * @throws WasmerLibraryException if no library is found or it cannot be loaded; the message lists every place
     *     tried and the command that builds one
     */
    public static Path load() {
        return loaded().path();
    }

    /** The symbols of the loaded library, loading it first if needed. */
    public static SymbolLookup lookup() {
        return loaded().lookup();
    }

    /** Whether the library has been loaded in this JVM. */
    public static boolean isLoaded() {
        return loaded != null;
    }

    /** The directory of the C headers next to the loaded library ({@code ../include}), as Wasmer releases lay it out. */
    public static Path includeDirectory() {
        return load().toAbsolutePath().getParent().resolveSibling("include");
    }

    private static Loaded loaded() {
        Loaded l = loaded;
        if (l != null) {
            return l;
        }
        synchronized (WasmerLibrary.class) {
            if (loaded == null) {
                loaded = find();
            }
            return loaded;
        }
    }

    private static Loaded find() {
        List<String> tried = new ArrayList<>();
        for (Candidate c : candidates()) {
            if (c.file == null) {
                tried.add(c.source + ": not set");
                continue;
            }
            if (!Files.isRegularFile(c.file)) {
                tried.add(c.source + ": " + c.file + " (not found)");
                if (c.explicit) {
                    break; // an explicit choice that is wrong must not silently fall back to another library
                }
                continue;
            }
            try {
                return new Loaded(c.file, SymbolLookup.libraryLookup(c.file, Arena.global()));
            } catch (IllegalArgumentException | IllegalCallerException e) {
                throw new WasmerLibraryException("libwasmer at " + c.file + " (" + c.source + ") cannot be loaded: "
                        + e.getMessage() + (e instanceof IllegalCallerException
                                ? "; run the JVM with --enable-native-access=ALL-UNNAMED" : ""), tried, e);
            }
        }
        throw new WasmerLibraryException("libwasmer not found", tried, null);
    }

    private record Candidate(String source, Path file, boolean explicit) {
    }

    private static List<Candidate> candidates() {
        List<Candidate> list = new ArrayList<>();
        String explicit = System.getProperty(PATH_PROPERTY);
        list.add(new Candidate("system property " + PATH_PROPERTY, explicit == null ? null : inDir(Path.of(explicit)),
                explicit != null));
        String dir = System.getenv("WASMER_DIR");
        list.add(new Candidate("WASMER_DIR", dir == null ? null : Path.of(dir, "lib", FILE_NAME), false));
        Path home = Path.of(System.getProperty("user.home"));
        list.add(new Candidate("~/.wasmer", home.resolve(".wasmer/lib").resolve(FILE_NAME), false));
        list.add(new Candidate("build cache", buildCacheDirectory().resolve("lib").resolve(FILE_NAME), false));
        return list;
    }

    private static Path inDir(Path p) {
        if (Files.isDirectory(p)) {
            Path lib = p.resolve("lib").resolve(FILE_NAME);
            return Files.exists(lib) ? lib : p.resolve(FILE_NAME);
        }
        return p;
    }

    /**
     * The directory the build script fills for the pinned version and features; kept in step with
     * {@code wasmer-native/build-libwasmer.sh}.
     */
    static Path buildCacheDirectory() {
        Properties build = buildProperties();
        String override = System.getenv("WASMER_JAVA_CACHE");
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path root = override != null ? Path.of(override)
                : (xdg != null ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache")).resolve("wasmer-java");
        return root.resolve("wasmer-" + build.getProperty("wasmer.version") + "-"
                + sha256(build.getProperty("wasmer.features")).substring(0, 12));
    }

    /** The pinned libwasmer version and cargo features this binding was built and tested with. */
    static Properties buildProperties() {
        Properties p = new Properties();
        try (InputStream in = WasmerLibrary.class.getResourceAsStream("/META-INF/wasmer-ffm/build.properties")) {
            if (in == null) {
                throw new IllegalStateException("META-INF/wasmer-ffm/build.properties missing from the binding jar");
            }
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return p;
    }

    /** The shell command that builds the pinned libwasmer into the build cache. */
    static String buildCommand() {
        Properties p = buildProperties();
        return "bash wasmer-native/build-libwasmer.sh " + p.getProperty("wasmer.version") + " "
                + p.getProperty("wasmer.features") + "   (from a checkout of this project; or ./mvnw -pl wasmer-native"
                + " install), or set WASMER_DIR to a Wasmer release, or -D" + PATH_PROPERTY + "=/path/to/" + FILE_NAME;
    }

    private static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
