package dev.wasmerffm.wasi;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wasmerffm.Instance;
import dev.wasmerffm.Module;
import dev.wasmerffm.Store;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Guests working with files as on a real system (issue 21): a C program (src/test/wasi/fsops.c) in a directory
 * mapped as the root, in its subdirectory and in other preopens, checked on the host; and the preopens, rights and
 * errnos a guest sees, called one by one.
 */
class WasiFilesTest {

    static final List<String> FSOPS = List.of(
            "mkdir dir: ok",
            "create new.txt: ok",
            "append new.txt: ok",
            "read new.txt: ok",
            "content: hello world",
            "stat new.txt: ok",
            "stat dir: ok",
            "rename new.txt dir/moved.txt: ok",
            "create gone.txt: ok",
            "unlink gone.txt: ok",
            "mkdir empty: ok",
            "rmdir empty: ok");

    @BeforeAll
    static void engine() {
        WasiTest.engine();
    }

    @AfterAll
    static void close() {
        WasiTest.close();
    }

    /** fsops' lines, then its listings of the directory it worked in (holding the host's host.txt) and of dir. */
    static List<String> fsops() {
        List<String> lines = new ArrayList<>(FSOPS);
        lines.add("readdir : dir host.txt");
        lines.add("readdir dir: moved.txt");
        return lines;
    }

    /** What fsops leaves in {@code dir} on the host. */
    static void assertLeftBehind(Path dir) throws IOException {
        assertThat(Files.readString(dir.resolve("dir/moved.txt"))).isEqualTo("hello world");
        assertThat(dir.resolve("new.txt")).doesNotExist();
        assertThat(dir.resolve("gone.txt")).doesNotExist();
        assertThat(dir.resolve("empty")).doesNotExist();
        assertThat(Files.readString(dir.resolve("host.txt"))).isEqualTo("from the host");
    }

    @ParameterizedTest(name = "paths \"{0}...\"")
    @ValueSource(strings = {"/", "", "/sub/", "sub/"})
    void aDirectoryMappedAsRootIsTheGuestsRoot(String base, @TempDir Path root) throws IOException {
        Path work = base.contains("sub") ? Files.createDirectory(root.resolve("sub")) : root;
        Files.writeString(work.resolve("host.txt"), "from the host");
        WasiExit exit =
                WasiTest.run("fsops", new WasiConfig("fsops").env("BASE", base).mapDir("/", root));
        assertThat(exit.stdoutText().lines()).containsExactlyElementsOf(fsops());
        assertThat(exit.exitCode()).isZero();
        assertLeftBehind(work);
    }

    @Test
    void aRootAndAnAliasAreEachTheirOwnDirectory(@TempDir Path root, @TempDir Path data) throws IOException {
        Files.writeString(root.resolve("host.txt"), "from the host");
        Files.writeString(data.resolve("host.txt"), "from the host");
        WasiConfig config = new WasiConfig("fsops").mapDir("/", root).mapDir("/data", data);
        assertThat(WasiTest.run("fsops", config.env("BASE", "/data/"))
                        .stdoutText()
                        .lines())
                .containsExactlyElementsOf(fsops());
        assertLeftBehind(data);
        assertThat(root.resolve("dir")).doesNotExist();
        assertThat(WasiTest.run("fsops", config.env("BASE", "/")).stdoutText().lines())
                .containsExactlyElementsOf(fsops()); // as in WASI runtimes, a preopen is not an entry of another
        assertLeftBehind(root);
    }

    @Test
    void aPreopenedDirectoryIsSeenUnderItsHostPath(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("host.txt"), "from the host");
        WasiExit exit = WasiTest.run(
                "fsops", new WasiConfig("fsops").env("BASE", dir + "/").preopenDir(dir));
        assertThat(exit.stdoutText().lines()).containsExactlyElementsOf(fsops());
        assertLeftBehind(dir);
    }

    /** Calls preview 1 one by one and stores each errno (and what it wrote) from offset 200 on. */
    static final String CALLS = """
            (module
              (import "wasi_snapshot_preview1" "fd_prestat_get" (func $prestat (param i32 i32) (result i32)))
              (import "wasi_snapshot_preview1" "fd_prestat_dir_name"
                (func $name (param i32 i32 i32) (result i32)))
              (import "wasi_snapshot_preview1" "path_open"
                (func $open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
              (import "wasi_snapshot_preview1" "fd_close" (func $close (param i32) (result i32)))
              (import "wasi_snapshot_preview1" "fd_fdstat_get" (func $fdstat (param i32 i32) (result i32)))
              (memory (export "memory") 1)
              (data (i32.const 160) "sub")
              (data (i32.const 170) "/sub")
              (func (export "_start")
                (i32.store (i32.const 200) (call $prestat (i32.const 3) (i32.const 100)))
                (i32.store (i32.const 204) (call $name (i32.const 3) (i32.const 120) (i32.const 1)))
                (i32.store (i32.const 208) (call $prestat (i32.const 4) (i32.const 108)))
                (i32.store (i32.const 212) (call $name (i32.const 4) (i32.const 130) (i32.const 5)))
                (i32.store (i32.const 216) (call $prestat (i32.const 5) (i32.const 116)))
                (i32.store (i32.const 220) (call $name (i32.const 3) (i32.const 140) (i32.const 0)))
                (i32.store (i32.const 224) (call $fdstat (i32.const 3) (i32.const 300)))
                (i32.store (i32.const 228) (i32.load8_u (i32.const 300)))
                (i32.store (i32.const 232) (i32.wrap_i64 (i64.and (i64.load (i32.const 308)) (i64.const 64))))
                ;; a directory opened again with the rights it has, as guest libraries do
                (i32.store (i32.const 236) (call $open (i32.const 3) (i32.const 0) (i32.const 160) (i32.const 3)
                  (i32.const 2) (i64.load (i32.const 308)) (i64.load (i32.const 316)) (i32.const 0)
                  (i32.const 180)))
                (i32.store (i32.const 240) (i32.load (i32.const 180)))
                ;; O_DIRECTORY with FD_READ|FD_WRITE
                (i32.store (i32.const 244) (call $open (i32.const 3) (i32.const 0) (i32.const 160) (i32.const 3)
                  (i32.const 2) (i64.const 66) (i64.const 0) (i32.const 0) (i32.const 184)))
                (i32.store (i32.const 248) (call $prestat (i32.const 5) (i32.const 116)))
                ;; an absolute path
                (i32.store (i32.const 252) (call $open (i32.const 3) (i32.const 0) (i32.const 170) (i32.const 4)
                  (i32.const 2) (i64.const 0) (i64.const 0) (i32.const 0) (i32.const 188)))
                (i32.store (i32.const 256) (call $close (i32.const 1)))
                (i32.store (i32.const 260) (call $fdstat (i32.const 1) (i32.const 320)))
                (i32.store (i32.const 264) (call $close (i32.const 3)))
                (i32.store (i32.const 268) (call $fdstat (i32.const 3) (i32.const 320)))
                (i32.store (i32.const 272) (call $close (i32.const 3)))))
            """;

    /** Runs a WASI module of {@code version} (checked) in {@code config}; its first 600 bytes of memory after. */
    static ByteBuffer memoryAfter(String wat, WasiVersion version, WasiConfig config) {
        try (Module module = Module.compile(WasiTest.engine, wat);
                Store store = new Store(WasiTest.engine);
                WasiEnv wasi = WasiEnv.create(store, config);
                Instance instance = wasi.instantiate(module)) {
            assertThat(WasiEnv.version(module)).isEqualTo(version);
            wasi.startFunction(instance).call();
            return ByteBuffer.wrap(instance.memory("memory").read(0, 600)).order(ByteOrder.LITTLE_ENDIAN);
        }
    }

    static ByteBuffer calls(WasiConfig config) {
        return memoryAfter(CALLS, WasiVersion.SNAPSHOT1, config);
    }

    /** The i32s stored from offset 200 to {@code last}. */
    static List<Integer> errnos(ByteBuffer memory, int last) {
        List<Integer> out = new ArrayList<>();
        for (int at = 200; at <= last; at += 4) {
            out.add(memory.getInt(at));
        }
        return out;
    }

    static String text(ByteBuffer memory, int at, int length) {
        return new String(memory.array(), at, length, java.nio.charset.StandardCharsets.UTF_8);
    }

    @Test
    void theGuestSeesItsDirectoriesAsDescriptorsFromThreeOnNamedAsConfigured(@TempDir Path root, @TempDir Path data)
            throws IOException {
        Files.createDirectory(root.resolve("sub"));
        ByteBuffer m = calls(new WasiConfig("calls").mapDir("/", root).mapDir("/data", data));
        // 3 is "/" (tag 0, length 1), 4 is "/data", 5 no preopen (BADF), a short buffer NAMETOOLONG; 3 is a directory
        // whose base rights have no FD_WRITE, so sub opens with them (as 5, no preopen), not with O_DIRECTORY and
        // FD_WRITE (ISDIR, as WASI wants); an absolute path is NOTCAPABLE; closed stdout and a closed preopen
        // answer BADF
        assertThat(errnos(m, 272)).containsExactly(0, 0, 0, 0, 8, 37, 0, 3, 0, 0, 5, 31, 8, 76, 0, 8, 0, 8, 8);
        assertThat(m.getInt(100)).isZero(); // a directory
        assertThat(m.getInt(104)).isEqualTo(1);
        assertThat(text(m, 120, 1)).isEqualTo("/");
        assertThat(m.getInt(112)).isEqualTo(5);
        assertThat(text(m, 130, 5)).isEqualTo("/data");
    }

    @Test
    void withoutDirectoriesDescriptorThreeIsClosed() {
        ByteBuffer m = calls(new WasiConfig("calls"));
        assertThat(m.getInt(200)).as("fd_prestat_get(3)").isEqualTo(8);
        assertThat(m.getInt(224)).as("fd_fdstat_get(3)").isEqualTo(8);
    }

    /**
     * A symlink in a mapped directory is followed when its target stays inside (libwasmer follows none); one to an
     * absolute path is not, even a host path inside the directory, as in WASI runtimes.
     */
    @Test
    void aSymlinkIsFollowedOnlyInsideTheMappedDirectory(@TempDir Path root) throws IOException {
        Files.writeString(root.resolve("inside.txt"), "fine");
        Files.createSymbolicLink(root.resolve("link-in"), root.resolve("inside.txt"));
        Files.createSymbolicLink(root.resolve("relative-link-in"), Path.of("inside.txt"));
        WasiExit exit = WasiTest.run(
                "escape",
                new WasiConfig("escape")
                        .mapDir("/", root)
                        .args("/inside.txt", "inside.txt", "/link-in", "/relative-link-in"));
        assertThat(exit.stdoutText().lines())
                .containsExactly(
                        "/inside.txt: OPENED", "inside.txt: OPENED", "/link-in: denied", "/relative-link-in: OPENED");
    }

    /**
     * Where libwasmer answers differently from WASI preview 1 runtimes, through wasi-libc: the descriptor layer
     * answers as they do (libwasmer: the symlink is not followed, NOTCAPABLE; readlink into 4 bytes is OVERFLOW;
     * link is NOENT; rmdir after the refused unlink is NOENT; the rename is IO; a directory seeks).
     */
    @Test
    void whereLibwasmerDiffersTheLayerAnswersAsWasiRuntimes(@TempDir Path root) throws IOException {
        WasiExit exit = WasiTest.run("quirks", new WasiConfig("quirks").mapDir("/", root));
        assertThat(exit.stdoutText().lines())
                .containsExactly(
                        "create target-file: ok 1",
                        "symlink: ok 0",
                        "open through symlink: ok 4",
                        "readlink into 4 bytes: ok 4",
                        "link: ok 0",
                        "mkdir d: ok 0",
                        "unlink d: Is a directory",
                        "rmdir d: ok 0",
                        "rename a onto non-empty b: Directory not empty",
                        "lseek on a directory: Invalid seek");
        assertThat(Files.readSymbolicLink(root.resolve("link")))
                .as("the guest's symlink is the host's")
                .isEqualTo(Path.of("target-file"));
        assertThat(Files.isSameFile(root.resolve("hard"), root.resolve("target-file")))
                .isTrue();
        assertThat(root.resolve("d")).doesNotExist();
        assertThat(root.resolve("a")).isDirectory();
        assertThat(root.resolve("b/inside")).exists();
    }

    /** Renumbering, poll_oneoff's subscriptions, sock_* on a file and a buffer outside memory, errnos from 200. */
    static final String MOVES = """
            (module
              (import "wasi_snapshot_preview1" "path_open"
                (func $open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
              (import "wasi_snapshot_preview1" "fd_renumber" (func $renumber (param i32 i32) (result i32)))
              (import "wasi_snapshot_preview1" "fd_close" (func $close (param i32) (result i32)))
              (import "wasi_snapshot_preview1" "fd_prestat_get" (func $prestat (param i32 i32) (result i32)))
              (import "wasi_snapshot_preview1" "poll_oneoff" (func $poll (param i32 i32 i32 i32) (result i32)))
              (import "wasi_snapshot_preview1" "sock_shutdown" (func $shutdown (param i32 i32) (result i32)))
              (memory (export "memory") 1)
              (data (i32.const 160) "f")
              (func (export "_start")
                ;; f with FD_READ, FD_WRITE and POLL_FD_READWRITE
                (i32.store (i32.const 200) (call $open (i32.const 3) (i32.const 0) (i32.const 160) (i32.const 1)
                  (i32.const 0) (i64.const 134217794) (i64.const 0) (i32.const 0) (i32.const 180)))
                (i32.store (i32.const 204) (i32.load (i32.const 180)))
                ;; nothing is open at 10 to renumber onto
                (i32.store (i32.const 208) (call $renumber (i32.const 3) (i32.const 10)))
                ;; f again, and the root preopen moved over it
                (i32.store (i32.const 212) (call $open (i32.const 3) (i32.const 0) (i32.const 160) (i32.const 1)
                  (i32.const 0) (i64.const 134217794) (i64.const 0) (i32.const 0) (i32.const 184)))
                (i32.store (i32.const 216) (call $renumber (i32.const 3) (i32.load (i32.const 184))))
                (i32.store (i32.const 220) (call $prestat (i32.load (i32.const 184)) (i32.const 100)))
                (i32.store (i32.const 224) (i32.load (i32.const 104)))
                (i32.store (i32.const 228) (call $prestat (i32.const 3) (i32.const 108)))
                (i32.store (i32.const 232) (call $shutdown (i32.load (i32.const 180)) (i32.const 1)))
                ;; one fd_write subscription on the file (userdata 7)
                (i64.store (i32.const 400) (i64.const 7))
                (i32.store8 (i32.const 408) (i32.const 2))
                (i32.store (i32.const 416) (i32.load (i32.const 180)))
                (i32.store (i32.const 236) (call $poll (i32.const 400) (i32.const 500) (i32.const 1) (i32.const 190)))
                (i32.store (i32.const 240) (i32.load (i32.const 190)))
                (i32.store (i32.const 244) (i32.load (i32.const 500)))
                (i32.store (i32.const 248) (i32.load16_u (i32.const 508)))
                (i32.store (i32.const 252) (i32.load (i32.const 416)))
                ;; an fd_read subscription on descriptor -1
                (i32.store8 (i32.const 456) (i32.const 1))
                (i32.store (i32.const 464) (i32.const -1))
                (i32.store (i32.const 256) (call $poll (i32.const 448) (i32.const 500) (i32.const 1) (i32.const 190)))
                (i32.store (i32.const 260) (call $prestat (i32.load (i32.const 184)) (i32.const 70000)))
                (i32.store (i32.const 264) (call $close (i32.load (i32.const 184))))
                (i32.store (i32.const 268) (call $prestat (i32.load (i32.const 184)) (i32.const 100)))))
            """;

    @Test
    void renumberingMovesADescriptorAndPollSeesTheGuestsNumbers(@TempDir Path root) throws IOException {
        Files.writeString(root.resolve("f"), "file");
        ByteBuffer m = memoryAfter(MOVES, WasiVersion.SNAPSHOT1, new WasiConfig("moves").mapDir("/", root));
        // f opens as 4; renumbering onto 10, where nothing is open, is BADF (as WASI runtimes; libwasmer copies);
        // f opens again as 5 and the preopen moves over it: 5 is "/" and 3 is closed; sock_shutdown of a file is
        // NOTSOCK; poll answers f's subscription (one event, userdata 7, no error) and leaves the guest's number in
        // it; descriptor -1 is BADF; a prestat outside memory FAULT; a closed preopen no preopen any more
        assertThat(errnos(m, 268)).containsExactly(0, 4, 8, 0, 0, 0, 1, 8, 57, 0, 1, 7, 0, 4, 8, 21, 0, 8);
    }

    /** A WASIX module keeps libwasmer's numbering: its virtual root "/" at 3, the mapped root ("") at 4. */
    @Test
    void wasixModulesSeeLibwasmersDescriptors(@TempDir Path root) {
        String wasix = """
                (module
                  (import "wasix_32v1" "fd_prestat_get" (func $prestat (param i32 i32) (result i32)))
                  (import "wasix_32v1" "fd_prestat_dir_name" (func $name (param i32 i32 i32) (result i32)))
                  (memory (export "memory") 1)
                  (func (export "_start")
                    (i32.store (i32.const 200) (call $prestat (i32.const 3) (i32.const 100)))
                    (i32.store (i32.const 204) (call $name (i32.const 3) (i32.const 120) (i32.const 1)))
                    (i32.store (i32.const 208) (call $prestat (i32.const 4) (i32.const 108)))))
                """;
        ByteBuffer m = memoryAfter(wasix, WasiVersion.WASIX32V1, new WasiConfig("wasix").mapDir("/", root));
        assertThat(errnos(m, 208)).containsExactly(0, 0, 0);
        assertThat(text(m, 120, 1)).isEqualTo("/");
        assertThat(m.getInt(104)).isEqualTo(1);
        assertThat(m.getInt(112)).as("the mapped root's name, \"\"").isZero();
    }

    /**
     * wasi_unstable's subscriptions are 56 bytes: the second one's descriptor is found and translated. Guest 5 is g
     * (libwasmer's 6); left untranslated it would be libwasmer's 5, f, closed before.
     */
    @Test
    void pollFindsEachSubscriptionOfTheOlderSnapshot(@TempDir Path root) throws IOException {
        Files.writeString(root.resolve("f"), "f");
        Files.writeString(root.resolve("g"), "g");
        String wat = """
                (module
                  (import "wasi_unstable" "path_open"
                    (func $open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
                  (import "wasi_unstable" "fd_close" (func $close (param i32) (result i32)))
                  (import "wasi_unstable" "poll_oneoff" (func $poll (param i32 i32 i32 i32) (result i32)))
                  (memory (export "memory") 1)
                  (data (i32.const 160) "fg")
                  (func (export "_start")
                    (drop (call $open (i32.const 3) (i32.const 0) (i32.const 160) (i32.const 1) (i32.const 0)
                      (i64.const 134217794) (i64.const 0) (i32.const 0) (i32.const 180)))
                    (drop (call $open (i32.const 3) (i32.const 0) (i32.const 161) (i32.const 1) (i32.const 0)
                      (i64.const 134217794) (i64.const 0) (i32.const 0) (i32.const 184)))
                    (drop (call $close (i32.load (i32.const 180))))
                    (i64.store (i32.const 400) (i64.const 7))
                    (i32.store8 (i32.const 408) (i32.const 2))
                    (i32.store (i32.const 416) (i32.load (i32.const 184)))
                    (i64.store (i32.const 456) (i64.const 8))
                    (i32.store8 (i32.const 464) (i32.const 2))
                    (i32.store (i32.const 472) (i32.load (i32.const 184)))
                    (i32.store (i32.const 200) (call $poll (i32.const 400) (i32.const 500) (i32.const 2)
                      (i32.const 190)))))
                """;
        ByteBuffer m = memoryAfter(wat, WasiVersion.SNAPSHOT0, new WasiConfig("poll").mapDir("/", root));
        assertThat(m.getInt(184)).isEqualTo(5);
        assertThat(m.getInt(200)).isZero();
        assertThat(m.getInt(190)).as("events").isEqualTo(2);
        // each event: userdata, then its errno: none for g
        assertThat(List.of(m.getLong(500), (int) m.getShort(508), m.getLong(532), (int) m.getShort(540)))
                .containsExactly(7L, 0, 8L, 0);
    }

    /** The sandbox of {@code WasiTest.escapingThePreopenedDirectoryIsDenied}, with the directory mapped as root. */
    @Test
    void escapingAMappedRootIsDenied(@TempDir Path host) throws IOException {
        Path sandbox = WasiTest.sandbox(host);
        String outside = host.resolve("outside.txt").toString();
        WasiExit exit = WasiTest.run(
                "escape",
                new WasiConfig("escape")
                        .mapDir("/", sandbox)
                        .args(
                                "/inside.txt",
                                "/../outside.txt",
                                "../outside.txt",
                                "../../outside.txt",
                                outside,
                                "/etc/passwd",
                                "/link-out",
                                "/dir-out/outside.txt"));
        assertThat(exit.stdoutText().lines())
                .containsExactly(
                        "/inside.txt: OPENED",
                        "/../outside.txt: denied",
                        "../outside.txt: denied",
                        "../../outside.txt: denied",
                        outside + ": denied",
                        "/etc/passwd: denied",
                        "/link-out: denied",
                        "/dir-out/outside.txt: denied");
        assertThat(Files.readString(host.resolve("outside.txt"))).isEqualTo("secret");
    }
}
