package dev.wasmerffm.cache;

import dev.wasmerffm.WasmerException;
import java.nio.file.Path;

/**
 * A module cache directory or key file that someone else could have planted or could change: owned by another user,
 * or writable (for a key file: accessible at all) by group or others. Nothing in it was used.
 */
public final class CacheDirectoryException extends WasmerException {

    private final transient Path path;
    private final String fix;

    /** Creates the exception for {@code path}, saying what is wrong and how to fix it. */
    CacheDirectoryException(Path path, String problem, String fix) {
        super("module cache " + path + " " + problem + ": " + fix);
        this.path = path;
        this.fix = fix;
    }

    /** The directory or file refused. */
    public Path path() {
        return path;
    }

    /** What to do about it. */
    public String fix() {
        return fix;
    }
}
