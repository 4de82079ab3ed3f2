package dev.wasmerffm;

import dev.wasmerffm.internal.Loader;
import java.util.List;

/** libwasmer could not be found or loaded. The message lists every place tried and the ways to provide one. */
public final class WasmerLibraryException extends WasmerException {

    private final List<String> tried;

    /**
     * @param problem what went wrong
     * @param tried each place tried, with what was found there
     * @param cause the failure underneath, or null
     */
    WasmerLibraryException(String problem, List<String> tried, Throwable cause) {
        super(
                problem + "\n  places tried:\n    " + String.join("\n    ", tried) + "\n  to fix, one of:\n    "
                        + String.join("\n    ", Loader.fixes()),
                cause);
        this.tried = List.copyOf(tried);
    }

    /** Each place tried, with what was found there. */
    public List<String> tried() {
        return tried;
    }
}
