package dev.wasmerffm;

import java.util.List;

/** libwasmer could not be found or loaded. The message lists every place tried and the ways to provide one. */
public final class WasmerLibraryException extends WasmerException {

    private final List<String> tried;

    WasmerLibraryException(String problem, List<String> tried, Throwable cause) {
        super(problem + "\n  places tried:\n    " + String.join("\n    ", tried) + "\n  to fix, one of:\n    "
                + String.join("\n    ", WasmerLibrary.fixes()), cause);
        this.tried = List.copyOf(tried);
    }

    /** Each place tried, with what was found there. */
    public List<String> tried() {
        return tried;
    }
}
