package dev.wasmerffm.wasi;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.NotLinkException;

/** WASI preview 1's errno values the descriptor layer answers, and the one for a failed host file operation. */
final class WasiErrno {

    static final int ACCES = 2;
    static final int BADF = 8;
    static final int EXIST = 20;
    static final int FAULT = 21;
    static final int ILSEQ = 25;
    static final int INVAL = 28;
    static final int IO = 29;
    static final int ISDIR = 31;
    static final int LOOP = 32;
    static final int NAMETOOLONG = 37;
    static final int NOENT = 44;
    static final int NOTDIR = 54;
    static final int NOTEMPTY = 55;
    static final int NOTSOCK = 57;
    static final int PERM = 63;
    static final int XDEV = 75;
    static final int NOTCAPABLE = 76;

    private WasiErrno() {}

    /** The errno of a host file operation that failed with {@code e} (the JDK names POSIX's errors in the message). */
    static int of(IOException e) {
        return switch (e) {
            case NoSuchFileException x -> NOENT;
            case FileAlreadyExistsException x -> EXIST;
            case DirectoryNotEmptyException x -> NOTEMPTY;
            case NotDirectoryException x -> NOTDIR;
            case NotLinkException x -> INVAL;
            case AccessDeniedException x -> ACCES;
            case FileSystemLoopException x -> LOOP;
            case FileSystemException x
            when x.getReason() != null ->
                switch (x.getReason()) {
                    case "Not a directory" -> NOTDIR;
                    case "Is a directory" -> ISDIR;
                    case "Too many levels of symbolic links" -> LOOP;
                    case "Operation not permitted" -> PERM;
                    case "File name too long" -> NAMETOOLONG;
                    case "Invalid cross-device link" -> XDEV;
                    case "Directory not empty" -> NOTEMPTY;
                    case "File exists" -> EXIST;
                    default -> IO;
                };
            default -> IO;
        };
    }
}
