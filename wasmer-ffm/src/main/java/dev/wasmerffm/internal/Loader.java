package dev.wasmerffm.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Properties;

/**
 * Finds and loads libwasmer, once per JVM, for {@code dev.wasmerffm.WasmerLibrary} (which documents the places tried) and for the
 * raw layer's {@link Native#downcall}: the generated layer links through here, never through the API.
 */
public final class Loader {

    /** System property naming libwasmer explicitly (a file or a Wasmer directory). */
    public static final String PATH_PROPERTY = "wasmer.library.path";

    /** The platform's file name of the library. */
    public static final String FILE_NAME = System.mapLibraryName("wasmer");

    private static volatile Loaded loaded;

    private record Loaded(Path path, SymbolLookup lookup) {}

    private Loader() {}

    /** libwasmer could not be found or loaded: the problem, and each place tried with what was found there. */
    public static final class Failure extends RuntimeException {
        private final List<String> tried;

        Failure(String problem, List<String> tried, Throwable cause) {
            super(problem, cause);
            this.tried = List.copyOf(tried);
        }

        public List<String> tried() {
            return tried;
        }
    }

    /** Loads libwasmer if that has not happened yet, and gives its path. */
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

    /** The C headers next to the loaded library ({@code ../include}, as Wasmer lays it out), for the layout checks. */
    public static Path includeDirectory() {
        return load().toAbsolutePath().getParent().resolveSibling("include");
    }

    private static Loaded loaded() {
        Loaded l = loaded;
        if (l != null) {
            return l;
        }
        synchronized (Loader.class) {
            if (loaded == null) {
                loaded = find();
            }
            return loaded;
        }
    }

    /** A place libwasmer may be: {@code locate} opens its file, or gives null after noting in the list why not. */
    private record Candidate(String source, Locator locate, boolean stopIfAbsent) {}

    private interface Locator {
        LibraryFile open(List<String> tried) throws IOException;
    }

    private static Loaded find() {
        String platform = NativeJar.platform();
        List<String> tried = new ArrayList<>();
        for (Candidate c : candidates(platform)) {
            LibraryFile file;
            try {
                file = c.locate.open(tried);
            } catch (IOException e) {
                throw new Failure("libwasmer from the " + c.source + " cannot be used: " + e.getMessage(), tried, e);
            }
            if (file != null) {
                return load(c.source, file, tried);
            }
            if (c.stopIfAbsent) {
                break; // an explicit choice that is wrong must not silently fall back to another library
            }
        }
        throw new Failure("libwasmer not found for platform " + platform, tried, null);
    }

    private static List<Candidate> candidates(String platform) {
        String explicit = System.getProperty(PATH_PROPERTY);
        String dir = System.getenv("WASMER_DIR");
        Path home = Path.of(System.getProperty("user.home"));
        String jar = NativeJar.classifierOnClasspath(platform);
        String jarSource = "platform jar " + NativeJar.coordinates(jar == null ? platform : jar);
        String cache = buildCacheDirectory().getFileName().toString();
        return List.of(
                new Candidate(
                        "system property " + PATH_PROPERTY,
                        tried -> named(
                                "system property " + PATH_PROPERTY,
                                explicit == null ? null : inDir(Path.of(explicit)),
                                tried),
                        explicit != null),
                new Candidate(
                        "WASMER_DIR",
                        tried -> named("WASMER_DIR", dir == null ? null : Path.of(dir, "lib", FILE_NAME), tried),
                        false),
                new Candidate(
                        jarSource,
                        tried -> {
                            LibraryFile f = jar == null ? null : NativeJar.extract(jar, NativeJar.locations(), tried);
                            if (f == null) {
                                tried.add(jarSource + ": not on the classpath");
                            }
                            return f;
                        },
                        false),
                new Candidate(
                        "~/.wasmer",
                        tried -> named("~/.wasmer", home.resolve(".wasmer/lib").resolve(FILE_NAME), tried),
                        false),
                new Candidate(
                        "build cache",
                        tried -> {
                            LibraryFile f = LibraryFile.open(
                                    cacheRoot(), List.of(cache, "lib"), FILE_NAME, LibraryFile.Policy.CACHE);
                            if (f == null) {
                                tried.add("build cache: "
                                        + buildCacheDirectory().resolve("lib").resolve(FILE_NAME) + " (not found)");
                            }
                            return f;
                        },
                        false));
    }

    /** A library at a path the user chose; null, noted in {@code tried}, when unset or absent. */
    private static LibraryFile named(String source, Path file, List<String> tried) throws IOException {
        LibraryFile f = file == null ? null : LibraryFile.openNamed(file);
        if (f == null) {
            tried.add(source + ": " + (file == null ? "not set" : file + " (not found)"));
        }
        return f;
    }

    private static Path inDir(Path p) {
        if (Files.isDirectory(p)) {
            Path lib = p.resolve("lib").resolve(FILE_NAME);
            return Files.exists(lib) ? lib : p.resolve(FILE_NAME);
        }
        return p;
    }

    private static Loaded load(String source, LibraryFile file, List<String> tried) {
        Path path = file.path();
        SymbolLookup lookup;
        try {
            lookup = file.load();
        } catch (IllegalArgumentException | IllegalCallerException | IOException e) {
            try {
                file.close();
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw new Failure(
                    "libwasmer at " + path + " (" + source + ") cannot be loaded: "
                            + e.getMessage()
                            + (e instanceof IllegalCallerException
                                    ? "; run the JVM with --enable-native-access=" + nativeAccessName()
                                    : ""),
                    tried,
                    e);
        }
        String pinned = buildProperties().getProperty("wasmer.version");
        String version = version(lookup);
        if (!pinned.equals(version)) {
            throw new Failure(
                    "libwasmer at " + path + " (" + source + ") is Wasmer " + version
                            + ", but this binding is generated from and tested with Wasmer " + pinned + " only: another"
                            + " version's structs and signatures would crash the JVM rather than fail",
                    tried,
                    null);
        }
        return new Loaded(path, lookup);
    }

    /** What {@code --enable-native-access} must name for this binding: its module, or the classpath. */
    public static String nativeAccessName() {
        Module m = Loader.class.getModule();
        return m.isNamed() ? m.getName() : "ALL-UNNAMED";
    }

    /** {@code wasmer_version()} of a library just loaded (before the raw layer links to it). */
    private static String version(SymbolLookup lookup) {
        MemorySegment function = lookup.find("wasmer_version").orElse(null);
        if (function == null) {
            return "unknown (it exports no wasmer_version: not a libwasmer)";
        }
        try {
            return Native.cString((MemorySegment) Native.LINKER
                    .downcallHandle(function, FunctionDescriptor.of(ValueLayout.ADDRESS))
                    .invokeExact());
        } catch (Throwable t) { // an exact native call throws nothing checked
            throw new IllegalStateException(t);
        }
    }

    /** The directory of the build cache and of extracted libraries; kept in step with build-libwasmer.sh. */
    public static Path cacheRoot() {
        String override = System.getenv("WASMER_JAVA_CACHE");
        String xdg = System.getenv("XDG_CACHE_HOME");
        return override != null
                ? Path.of(override)
                : (xdg != null ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache"))
                        .resolve("wasmer-java");
    }

    /** The directory the build script fills for the pinned version and features. */
    public static Path buildCacheDirectory() {
        Properties build = buildProperties();
        String featuresHash = HexFormat.of()
                .formatHex(NativeJar.sha256Digest()
                        .digest(build.getProperty("wasmer.features").getBytes(StandardCharsets.UTF_8)));
        return cacheRoot()
                .resolve("wasmer-" + build.getProperty("wasmer.version") + "-" + featuresHash.substring(0, 12));
    }

    /** The pinned libwasmer version and cargo features this binding was built and tested with, and its own version. */
    public static Properties buildProperties() {
        Properties p = new Properties();
        try (InputStream in = Loader.class.getResourceAsStream("/META-INF/wasmer-ffm/build.properties")) {
            if (in == null) {
                throw new IllegalStateException("META-INF/wasmer-ffm/build.properties missing from the binding jar");
            }
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return p;
    }

    /** The ways to provide libwasmer, for the message when none is found or usable. */
    public static List<String> fixes() {
        Properties p = buildProperties();
        String platform = NativeJar.platform();
        String version = p.getProperty("wasmer.version");
        return List.of(
                "add the jar " + NativeJar.coordinates(platform) + " (version " + p.getProperty("binding.version")
                        + ", a dependency with <classifier>" + platform + "</classifier>); wasmer-ffm brings the one"
                        + " of the platform it is built on; where none is published, build it on a " + platform
                        + " machine from a checkout of this project: ./mvnw -B -pl wasmer-native install",
                "set WASMER_DIR to a Wasmer " + version + " release (lib/" + FILE_NAME + ")",
                "set -D" + PATH_PROPERTY + "=/path/to/" + FILE_NAME + " (Spring Boot: wasmer.library-path)",
                "build the pinned one into the build cache: bash wasmer-native/build-libwasmer.sh " + version + " "
                        + p.getProperty("wasmer.features") + " (from a checkout of this project)");
    }
}
