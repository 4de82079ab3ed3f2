package dev.wasmerffm;

import dev.wasmerffm.internal.Loader;
import java.nio.file.Path;

/**
 * Finds and loads libwasmer, once per JVM. It is never unloaded: libwasmer installs process-wide signal handlers
 * whose code lives in the library.
 *
 * <p>Places tried, in order:
 * <ol>
 * <li>the system property {@value #PATH_PROPERTY} (a file, or a directory holding {@code lib/libwasmer.so});
 * <li>{@code $WASMER_DIR/lib};
 * <li>the platform jar {@code dev.wasmerffm:wasmer-native:<platform>} on the classpath (wasmer-ffm depends on the
 *     one of the platform it is built on), extracted once per user into {@code ~/.cache/wasmer-java/native};
 * <li>{@code ~/.wasmer/lib};
 * <li>the cache the project's build fills ({@code ~/.cache/wasmer-java/wasmer-<version>-<features hash>/lib}).
 * </ol>
 * A library whose {@code wasmer_version()} is not the pinned version is refused: the raw layer is generated from the
 * pinned headers, and another version's structs and signatures would crash the JVM rather than fail.
 */
public final class WasmerLibrary {

    /** System property naming libwasmer explicitly (a file or a Wasmer directory). */
    public static final String PATH_PROPERTY = Loader.PATH_PROPERTY;

    private WasmerLibrary() {}

    /**
     * Loads libwasmer if that has not happened yet.
     *
     * @return the path of the loaded library
     * @throws WasmerLibraryException if no library is found, or it cannot be loaded or used; the message lists every
     *     place tried and the ways to provide one
     */
    public static Path load() {
        try {
            return Loader.load();
        } catch (Loader.Failure f) {
            throw new WasmerLibraryException(f.getMessage(), f.tried(), f.getCause());
        }
    }

    /** Whether the library has been loaded in this JVM. */
    public static boolean isLoaded() {
        return Loader.isLoaded();
    }
}
