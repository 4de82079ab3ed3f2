package dev.wasmerffm.wasi;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the descriptor layer answers where libwasmer differs from WASI runtimes (issue 32), one C program per case
 * (src/test/wasi), each run with a scratch directory mapped as "/" and its every line pinned: the errno of each raw
 * preview 1 call and what it gave. Each program's header says what libwasmer answers instead; docs/wasi-testsuite.md
 * names the testsuite programs each case makes pass.
 */
class WasiConformanceTest {

    @BeforeAll
    static void engine() {
        WasiTest.engine();
    }

    @AfterAll
    static void close() {
        WasiTest.close();
    }

    private static String run(String program, Path root) throws IOException {
        WasiExit exit = WasiTest.run(program, new WasiConfig(program).mapDir("/", root));
        assertThat(exit.exitCode()).as(exit.stderrText()).isZero();
        return exit.stdoutText();
    }

    /** Rights: a directory's are directory rights, a missing right is NOTCAPABLE, rights are dropped only. */
    @Test
    void rightsAreKeptAsWasiRuntimesKeepThem(@TempDir Path root) throws IOException {
        assertThat(run("rights", root)).isEqualTo("""
                fdstat of the preopen: 0
                directory rights: seek 0 tell 0 read 0 write 0 set_size 0, path_open 1 readdir 1
                seek a directory: 76
                tell a directory: 76
                read a directory: 76
                write a directory: 76
                size a directory: 76
                mkdir d: 0
                open d asking to seek: 0
                fdstat of d: 0
                d rights: 8192
                seek d: 76
                create f: 0
                open f again: 0
                fdstat f: 0
                fdstat g: 0
                same rights: 1, exactly asked: 1
                open under a file: 76
                drop write: 0
                write without the right: 76
                read with the right: 0
                take write back: 76
                fdstat of the preopen again: 0
                open .: 0
                drop path_filestat_set_size and path_create_file: 0
                truncate without the right: 76
                create without the right: 76
                open without truncating: 0
                """);
    }

    /**
     * fd_renumber moves a descriptor over an open one, a preopen too; a closed destination is BADF. Stdio moves and
     * stays the environment's: what is written to stdout's and stderr's new numbers is captured, stdin's gives the
     * config's bytes, and the files they were moved over are left empty.
     */
    @Test
    void renumberMovesADescriptor(@TempDir Path root) throws IOException {
        WasiExit exit = WasiTest.run(
                "renumber", new WasiConfig("renumber").mapDir("/", root).stdin("hello".getBytes(UTF_8)));
        assertThat(exit.exitCode()).as(exit.stderrText()).isZero();
        assertThat(exit.stdoutText()).isEqualTo("""
                create a: 0
                create b: 0
                numbers: 4 5
                fdstat a: 0
                renumber a over b: 0
                fdstat b: 0
                b is what a was: 1
                close a: 8
                renumber onto closed a: 8
                renumber b onto itself: 0
                fdstat 3: 0
                open .: 0
                filestat .: 0
                renumber . over the preopen: 0
                filestat 3: 0
                3 is the directory: 1
                prestat 3: 8
                fdstat of the moved descriptor: 8
                create c from 3: 0
                c takes the lowest free number: 1
                create in: 0
                create out: 0
                create err: 0
                renumber stdout over out: 0
                fdstat 1 once moved: 8
                renumber stdin over in: 0
                read in: 0
                stdin says: hello
                renumber stderr over err: 0
                write err: 0
                write 2 once moved: 8
                open out again: 0
                nothing written to the file out: 1
                close 3: 0
                fdstat 3 once closed: 8
                """);
        assertThat(exit.stderrText()).isEqualTo("to stderr\n");
        for (String file : new String[] {"in", "out", "err"}) {
            assertThat(root.resolve(file)).isEmptyFile();
        }
    }

    /** Paths stay below their descriptor; trailing slashes, unlink and rename give POSIX's errnos. */
    @Test
    void pathsStayBelowTheirDescriptor(@TempDir Path root) throws IOException {
        assertThat(run("paths", root)).isEqualTo("""
                mkdir sub: 0
                mkdir sub/in: 0
                create sub/in/file: 0
                fdstat 3: 0
                open sub: 0
                absolute path: 76
                absolute path from the root: 76
                dots inside: 0
                close: 0
                dots above the descriptor: 76
                dots above the preopen: 76
                stat above the descriptor: 76
                mkdir above the descriptor: 76
                file with a trailing slash: 54
                directory with a trailing slash: 0
                close: 0
                stat of a file with a trailing slash: 54
                unlink a directory: 31
                unlink a directory with a trailing slash: 31
                unlink a file with a trailing slash: 54
                rmdir a file: 54
                rmdir a non-empty directory: 55
                mkdir a: 0
                rename a onto non-empty in: 55
                rename a onto a file: 54
                rename a file onto a: 31
                rename a file with a trailing slash: 54
                rename a file: 0
                unlink moved: 0
                rmdir in: 0
                rmdir a: 0
                mkdir an existing directory: 20
                a path that is no UTF-8: 25
                open from stdout: 54
                stat from stdout: 54
                rename from stdout: 54
                """);
        assertThat(root.resolve("up")).doesNotExist();
        assertThat(root.resolve("sub")).isEmptyDirectory();
    }

    /** Symlinks and hard links are made on the host and followed inside the mapped directory only. */
    @Test
    void symlinksAndLinksAreTheHostsAndStayInside(@TempDir Path root) throws IOException {
        assertThat(run("symlinks", root)).isEqualTo("""
                mkdir dir: 0
                create dir/file: 0
                write dir/file: 0
                close: 0
                symlink to-file -> dir/file: 0
                symlink to-dir -> dir: 0
                symlink dir/up -> ../dir/file: 0
                symlink out -> ../outside: 76
                symlink dir/out -> ../../outside: 76
                symlink abs -> /: 76
                symlink over a file: 20
                symlink with a trailing slash: 44
                symlink to nothing: 44
                open to-file following: 0
                read through it: 0
                read: data
                open to-file not following: 32
                open to-dir/file: 0
                open dir/up following: 0
                open to-dir as a directory: 0
                open to-file as a directory: 54
                stat to-file: 0
                a symlink of 8 bytes, mtim set: 1
                stat to-file following: 0
                type 4, 4 bytes
                set the symlink's mtim: 0
                stat to-file: 0
                stat dir/file: 0
                symlink mtim 1000000000123, file's unchanged: 1
                readlink to-file: 0
                8 bytes: dir/file
                readlink into 4 bytes: 0
                4 bytes: dir/
                readlink of a file: 28
                symlink loop -> loop: 0
                open the loop: 32
                link dir/file hard: 0
                stat hard: 0
                stat dir/file: 0
                one inode: 1, 2 links
                open hard: 0
                fstat hard: 0
                fstat's inode too: 1
                link a directory: 63
                link onto an existing name: 20
                link to-file (the symlink itself): 0
                link out following: 32
                symlink dir/in -> ../dir/file: 0
                rename dir/in to moved-out: 0
                open moved-out following: 76
                stat moved-out following: 76
                unlink to-file: 0
                rename to-dir: 0
                open dir2/file: 0
                """);
        assertThat(Files.readSymbolicLink(root.resolve("dir/up"))).isEqualTo(Path.of("../dir/file"));
        assertThat(Files.readSymbolicLink(root.resolve("dir2"))).isEqualTo(Path.of("dir"));
        assertThat(Files.readSymbolicLink(root.resolve("hard-symlink"))).isEqualTo(Path.of("dir/file"));
        // moved by the guest to where it points out: there on the host, never followed by the guest
        assertThat(Files.readSymbolicLink(root.resolve("moved-out"))).isEqualTo(Path.of("../dir/file"));
        assertThat(Files.readString(root.resolve("hard"))).isEqualTo("data");
        assertThat(Files.isSameFile(root.resolve("hard"), root.resolve("dir/file")))
                .isTrue();
        for (String refused : new String[] {"out", "dir/out", "abs", "dir-link", "dangling"}) {
            assertThat(Files.exists(root.resolve(refused), LinkOption.NOFOLLOW_LINKS))
                    .as(refused)
                    .isFalse();
        }
    }

    /** Stat, times, listings and append from the host: one inode everywhere, times set on the file. */
    @Test
    void statTimesListingsAndAppendAreTheHosts(@TempDir Path root) throws IOException {
        assertThat(run("stat", root)).isEqualTo("""
                create f appending: 0
                fdstat f: 0
                append flag: 1
                write aaaa: 0
                seek to 0: 0
                write bb (appended): 0
                clear the flags: 0
                seek to 0: 0
                write bb (at 0): 0
                seek to 0: 0
                read f: 0
                f: bbaabb
                stat f: 0
                set f's mtim: 0
                stat f: 0
                mtim moved back by 100 ns
                both mtim and mtim_now: 28
                fstat f: 0
                stat and fstat: one inode 1
                readdir: f's inode 1
                fstat the directory: 0
                readdir: .'s inode 1
                readdir from 0: 0
                readdir after the first: 0
                the rest follows: 1
                readdir into 10 bytes: 0
                filled: 10
                readdir past the end: 0
                filled: 0
                """);
        assertThat(Files.readString(root.resolve("f"))).isEqualTo("bbaabb");
    }

    /** Hostile sizes and numbers on the calls the layer answers: errnos, and the guest's memory as it was. */
    static final String HOSTILE = """
            (module
              (import "wasi_snapshot_preview1" "path_open"
                (func $open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
              (import "wasi_snapshot_preview1" "fd_readdir" (func $readdir (param i32 i32 i32 i64 i32) (result i32)))
              (import "wasi_snapshot_preview1" "path_readlink"
                (func $readlink (param i32 i32 i32 i32 i32 i32) (result i32)))
              (import "wasi_snapshot_preview1" "path_symlink" (func $symlink (param i32 i32 i32 i32 i32) (result i32)))
              (import "wasi_snapshot_preview1" "fd_renumber" (func $renumber (param i32 i32) (result i32)))
              (import "wasi_snapshot_preview1" "path_filestat_get"
                (func $stat (param i32 i32 i32 i32 i32) (result i32)))
              (memory (export "memory") 1)
              (data (i32.const 100) "l")
              (data (i32.const 110) "d/f")
              (data (i32.const 65530) "abcdef")
              (func (export "_start")
                ;; through symlink l to d/f, the new descriptor stored at 0, where the resolved path would go first
                (i32.store (i32.const 200) (call $open (i32.const 3) (i32.const 1) (i32.const 100) (i32.const 1)
                  (i32.const 0) (i64.const 0) (i64.const 0) (i32.const 0) (i32.const 0)))
                (i32.store (i32.const 204) (i32.load (i32.const 0)))
                (i32.store (i32.const 208) (i32.load (i32.const 65532)))
                ;; a path running past memory; one longer than PATH_MAX
                (i32.store (i32.const 212) (call $open (i32.const 3) (i32.const 0) (i32.const 100) (i32.const -1)
                  (i32.const 0) (i64.const 0) (i64.const 0) (i32.const 0) (i32.const 120)))
                (i32.store (i32.const 216) (call $open (i32.const 3) (i32.const 0) (i32.const 1000) (i32.const 5000)
                  (i32.const 0) (i64.const 0) (i64.const 0) (i32.const 0) (i32.const 120)))
                ;; readdir from a cookie past the end (all bits set); into a buffer past memory
                (i32.store (i32.const 124) (i32.const 99))
                (i32.store (i32.const 220) (call $readdir (i32.const 3) (i32.const 65530) (i32.const 6)
                  (i64.const -1) (i32.const 124)))
                (i32.store (i32.const 224) (i32.load (i32.const 124)))
                (i32.store (i32.const 228) (call $readdir (i32.const 3) (i32.const 65530) (i32.const 100)
                  (i64.const 0) (i32.const 124)))
                ;; readlink into a buffer past memory; a symlink target longer than PATH_MAX
                (i32.store (i32.const 232) (call $readlink (i32.const 3) (i32.const 100) (i32.const 1)
                  (i32.const 65530) (i32.const 100) (i32.const 124)))
                (i32.store (i32.const 236) (call $symlink (i32.const 1000) (i32.const 5000) (i32.const 3)
                  (i32.const 130) (i32.const 1)))
                ;; renumbering onto -1; a stat stored past memory
                (i32.store (i32.const 240) (call $renumber (i32.const 3) (i32.const -1)))
                (i32.store (i32.const 244) (call $stat (i32.const 3) (i32.const 0) (i32.const 110) (i32.const 3)
                  (i32.const 65530)))
                (i32.store (i32.const 248) (i32.load (i32.const 65532)))))
            """;

    @Test
    void hostileSizesAreErrnosAndMemoryStaysTheGuests(@TempDir Path root) throws IOException {
        Files.createDirectory(root.resolve("d"));
        Files.writeString(root.resolve("d/f"), "f");
        Files.createSymbolicLink(root.resolve("l"), Path.of("d/f"));
        var m = WasiFilesTest.memoryAfter(HOSTILE, WasiVersion.SNAPSHOT1, new WasiConfig("hostile").mapDir("/", root));
        int cdef = 'c' | 'd' << 8 | 'e' << 16 | 'f' << 24; // the last bytes of memory, lent for "d/f" and put back
        // opened as 4 through the symlink, memory intact; FAULT, NAMETOOLONG; nothing past the end (bufused 0);
        // FAULT; FAULT, NAMETOOLONG; BADF, FAULT, memory still intact
        assertThat(WasiFilesTest.errnos(m, 248)).containsExactly(0, 4, cdef, 21, 37, 0, 0, 21, 21, 37, 8, 21, cdef);
        assertThat(root.toFile().list()).as("nothing made").containsExactlyInAnyOrder("d", "l");
    }
}
