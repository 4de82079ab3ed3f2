package dev.wasmerffm.wasi;

import java.util.Map;

/**
 * WASI preview 1's rights, as the descriptor layer keeps them for each descriptor: what a call needs, and what a
 * directory or a file can hold. libwasmer grants any descriptor the file rights (a directory may seek) and checks
 * them with ACCES; WASI runtimes give a directory the directory rights only and refuse a missing right with
 * NOTCAPABLE, which guest libraries test for.
 */
final class WasiRights {

    static final long FD_DATASYNC = 1L;
    static final long FD_READ = 1L << 1;
    static final long FD_SEEK = 1L << 2;
    static final long FD_FDSTAT_SET_FLAGS = 1L << 3;
    static final long FD_SYNC = 1L << 4;
    static final long FD_TELL = 1L << 5;
    static final long FD_WRITE = 1L << 6;
    static final long FD_ADVISE = 1L << 7;
    static final long FD_ALLOCATE = 1L << 8;
    static final long PATH_CREATE_DIRECTORY = 1L << 9;
    static final long PATH_CREATE_FILE = 1L << 10;
    static final long PATH_LINK_SOURCE = 1L << 11;
    static final long PATH_LINK_TARGET = 1L << 12;
    static final long PATH_OPEN = 1L << 13;
    static final long FD_READDIR = 1L << 14;
    static final long PATH_READLINK = 1L << 15;
    static final long PATH_RENAME_SOURCE = 1L << 16;
    static final long PATH_RENAME_TARGET = 1L << 17;
    static final long PATH_FILESTAT_GET = 1L << 18;
    static final long PATH_FILESTAT_SET_SIZE = 1L << 19;
    static final long PATH_FILESTAT_SET_TIMES = 1L << 20;
    static final long FD_FILESTAT_GET = 1L << 21;
    static final long FD_FILESTAT_SET_SIZE = 1L << 22;
    static final long FD_FILESTAT_SET_TIMES = 1L << 23;
    static final long PATH_SYMLINK = 1L << 24;
    static final long PATH_REMOVE_DIRECTORY = 1L << 25;
    static final long PATH_UNLINK_FILE = 1L << 26;
    static final long POLL_FD_READWRITE = 1L << 27;

    /** What a regular file's descriptor can hold. */
    static final long FILE = FD_DATASYNC
            | FD_READ
            | FD_SEEK
            | FD_FDSTAT_SET_FLAGS
            | FD_SYNC
            | FD_TELL
            | FD_WRITE
            | FD_ADVISE
            | FD_ALLOCATE
            | FD_FILESTAT_GET
            | FD_FILESTAT_SET_SIZE
            | FD_FILESTAT_SET_TIMES
            | POLL_FD_READWRITE;

    /** What a directory's descriptor can hold: no reading, writing, seeking or sizing, as in WASI runtimes. */
    static final long DIRECTORY = FD_FDSTAT_SET_FLAGS
            | FD_SYNC
            | FD_ADVISE
            | PATH_CREATE_DIRECTORY
            | PATH_CREATE_FILE
            | PATH_LINK_SOURCE
            | PATH_LINK_TARGET
            | PATH_OPEN
            | FD_READDIR
            | PATH_READLINK
            | PATH_RENAME_SOURCE
            | PATH_RENAME_TARGET
            | PATH_FILESTAT_GET
            | PATH_FILESTAT_SET_SIZE
            | PATH_FILESTAT_SET_TIMES
            | FD_FILESTAT_GET
            | FD_FILESTAT_SET_TIMES
            | PATH_SYMLINK
            | PATH_REMOVE_DIRECTORY
            | PATH_UNLINK_FILE
            | POLL_FD_READWRITE;

    /** The right each call needs on its first descriptor (path_link, path_rename: on their second, below). */
    private static final Map<String, Long> FIRST = Map.ofEntries(
            Map.entry("fd_advise", FD_ADVISE),
            Map.entry("fd_allocate", FD_ALLOCATE),
            Map.entry("fd_datasync", FD_DATASYNC),
            Map.entry("fd_fdstat_set_flags", FD_FDSTAT_SET_FLAGS),
            Map.entry("fd_filestat_get", FD_FILESTAT_GET),
            Map.entry("fd_filestat_set_size", FD_FILESTAT_SET_SIZE),
            Map.entry("fd_filestat_set_times", FD_FILESTAT_SET_TIMES),
            Map.entry("fd_pread", FD_READ | FD_SEEK),
            Map.entry("fd_pwrite", FD_WRITE | FD_SEEK),
            Map.entry("fd_read", FD_READ),
            Map.entry("fd_readdir", FD_READDIR),
            Map.entry("fd_seek", FD_SEEK),
            Map.entry("fd_sync", FD_SYNC),
            Map.entry("fd_tell", FD_TELL),
            Map.entry("fd_write", FD_WRITE),
            Map.entry("path_create_directory", PATH_CREATE_DIRECTORY),
            Map.entry("path_filestat_get", PATH_FILESTAT_GET),
            Map.entry("path_filestat_set_times", PATH_FILESTAT_SET_TIMES),
            Map.entry("path_link", PATH_LINK_SOURCE),
            Map.entry("path_open", PATH_OPEN),
            Map.entry("path_readlink", PATH_READLINK),
            Map.entry("path_remove_directory", PATH_REMOVE_DIRECTORY),
            Map.entry("path_rename", PATH_RENAME_SOURCE),
            Map.entry("path_symlink", PATH_SYMLINK),
            Map.entry("path_unlink_file", PATH_UNLINK_FILE));

    private static final Map<String, Long> SECOND =
            Map.of("path_link", PATH_LINK_TARGET, "path_rename", PATH_RENAME_TARGET);

    private WasiRights() {}

    /** The rights call {@code name} needs on its {@code index}-th descriptor parameter (0 for none). */
    static long needed(String name, int index) {
        return (index == 0 ? FIRST : SECOND).getOrDefault(name, 0L);
    }
}
