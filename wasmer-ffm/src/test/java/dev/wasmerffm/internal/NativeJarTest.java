package dev.wasmerffm.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Extraction of the platform jar (wasmer-native on the test classpath) into fresh directories. */
class NativeJarTest {

    static final String PLATFORM = NativeJar.platform();
    /** The jar the tests run with: the singlepass one (a test dependency), which the loader prefers. */
    static final String CLASSIFIER = NativeJar.classifierOnClasspath(PLATFORM);

    @TempDir
    Path tmp;

    @TempDir
    static Path shared;

    /** One real extraction; most tests lay out theirs with a hard link to its library (no 40 MB written each). */
    static Path template;

    @BeforeAll
    static void extractOnce() throws Exception {
        template = shared.resolve("template");
        extracted(template);
    }

    /** {@code root} laid out as an extraction, its library a hard link to the template's. */
    static Path populated(Path root) throws Exception {
        Path lib = lib(root);
        for (Path dir : List.of(root, root.resolve("native"), lib.getParent().getParent(), lib.getParent())) {
            Files.createDirectories(dir);
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        }
        Files.createLink(lib, lib(template));
        Path include = lib(template).getParent().resolveSibling("include");
        Files.createDirectories(lib.getParent().resolveSibling("include"));
        try (Stream<Path> headers = Files.list(include)) {
            for (Path h : headers.toList()) {
                Files.copy(h, lib.getParent().resolveSibling("include").resolve(h.getFileName()));
            }
        }
        return root;
    }

    static Properties jar() throws Exception {
        Properties p = new Properties();
        try (InputStream in = NativeJarTest.class
                .getClassLoader()
                .getResourceAsStream("META-INF/wasmer-native/" + CLASSIFIER + "/wasmer-native.properties")) {
            assertThat(in)
                    .as("a wasmer-native jar of " + PLATFORM + " is on the test classpath")
                    .isNotNull();
            p.load(in);
        }
        return p;
    }

    static List<Path> files(Path dir) throws Exception {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).toList();
        }
    }

    static LibraryFile extract(Path... roots) throws Exception {
        return extract(new ArrayList<>(), roots);
    }

    static LibraryFile extract(List<String> tried, Path... roots) throws Exception {
        return NativeJar.extract(
                CLASSIFIER,
                Stream.of(roots).map(r -> new NativeJar.Location(r, false)).toList(),
                tried);
    }

    /** The library extracted to {@code root} (closed: the path is what the tests look at). */
    static Path extracted(Path root) throws Exception {
        try (LibraryFile f = extract(root)) {
            return f.path();
        }
    }

    static Path lib(Path root) throws Exception {
        Properties jar = jar();
        return root.resolve("native")
                .resolve(jar.getProperty("wasmer.version") + "-" + jar.getProperty("sha256"))
                .resolve("lib")
                .resolve(Loader.FILE_NAME);
    }

    @Test
    void theRunningPlatformIsNamedLikeTheJarClassifiers() {
        assertThat(PLATFORM).matches("(linux|osx|windows)-(x86_64|aarch64)");
        assertThat(NativeJar.coordinates("osx-aarch64")).isEqualTo("dev.wasmerffm:wasmer-native:osx-aarch64");
        assertThat(CLASSIFIER).as("preferred when on the classpath").isEqualTo(PLATFORM + "-singlepass");
    }

    @Test
    void extractsOnceIntoADirectoryNamedByTheHashAndReusesIt() throws Exception {
        Properties jar = jar();
        Path root = tmp.resolve("cache");
        Path lib = extracted(root);
        assertThat(lib).isEqualTo(lib(root));
        assertThat(NativeJar.sha256(lib)).isEqualTo(jar.getProperty("sha256"));
        assertThat(lib.resolveSibling("../include/wasmer.h").normalize()).isRegularFile();
        for (Path dir : List.of(root, root.resolve("native"), lib.getParent().getParent(), lib.getParent())) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)))
                    .as(dir.toString())
                    .isEqualTo("rwx------");
        }
        var modified = Files.getLastModifiedTime(lib);
        assertThat(extracted(root)).isEqualTo(lib);
        assertThat(Files.getLastModifiedTime(lib))
                .as("reused, not written again")
                .isEqualTo(modified);
        assertThat(files(root))
                .as("the library and the headers, and no stamp")
                .hasSize(1 + jar.getProperty("include").split(" ").length);
    }

    /**
     * Every load hashes the open file: an edit that keeps size, modification time and inode (the third
     * attack) is caught, where a stamp of those would have vouched for it.
     */
    @Test
    void anEditKeepingSizeTimeAndInodeIsCaught() throws Exception {
        Path root = tmp.resolve("native");
        Path lib = extracted(root);
        String good = NativeJar.sha256(lib);
        var time = Files.getLastModifiedTime(lib);
        Object inode = Files.readAttributes(lib, BasicFileAttributes.class).fileKey();
        try (var f = FileChannel.open(lib, StandardOpenOption.WRITE)) {
            f.write(ByteBuffer.wrap(new byte[] {1, 2, 3, 4}), f.size() / 2);
        }
        Files.setLastModifiedTime(lib, time);
        assertThat(Files.readAttributes(lib, BasicFileAttributes.class).fileKey())
                .isEqualTo(inode);
        try (LibraryFile f = extract(root)) {
            assertThat(f.sha256()).isEqualTo(good);
        }
        assertThat(NativeJar.sha256(lib)).as("found altered, extracted again").isEqualTo(good);
    }

    @Test
    void aTruncatedCopyIsExtractedAgain() throws Exception {
        Path root = tmp.resolve("native");
        Path lib = extracted(root);
        Files.write(lib, new byte[] {0x7f, 'E', 'L', 'F'});
        assertThat(extracted(root)).isEqualTo(lib);
        assertThat(NativeJar.sha256(lib)).isEqualTo(jar().getProperty("sha256"));
    }

    @Test
    void temporaryFilesOfAKilledExtractionAreDeletedAndOnesBeingWrittenKept() throws Exception {
        Path root = populated(tmp.resolve("native"));
        Path lib = lib(root);
        Files.delete(lib);
        Path abandoned = Files.writeString(lib.resolveSibling(".libwasmer.so123.tmp"), "half a library");
        Files.setLastModifiedTime(abandoned, FileTime.from(Instant.now().minusSeconds(120)));
        Path inProgress = Files.writeString(lib.resolveSibling(".libwasmer.so456.tmp"), "being written");
        assertThat(extracted(root)).isEqualTo(lib);
        assertThat(abandoned).doesNotExist();
        assertThat(inProgress).exists();
    }

    @Test
    void concurrentExtractionsAllGetTheLibraryAndLeaveOneCopy() throws Exception {
        Path root = tmp.resolve("native");
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Path>> results = pool.invokeAll(IntStream.range(0, 4)
                    .mapToObj(i -> (Callable<Path>) () -> extracted(root))
                    .toList());
            Path lib = results.getFirst().get();
            for (Future<Path> f : results) {
                assertThat(f.get()).isEqualTo(lib);
            }
            assertThat(NativeJar.sha256(lib)).isEqualTo(jar().getProperty("sha256"));
            assertThat(files(root).stream()
                            .filter(f -> f.getFileName().toString().contains("libwasmer")))
                    .as("one library and no temporary file")
                    .containsExactly(lib);
        } finally {
            pool.shutdown();
        }
    }

    /** Each directory from the root down to lib/, made writable by others in turn: that place is skipped. */
    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, 3})
    void aDirectoryOthersCanWriteOnTheWayIsSkippedForTheNextPlace(int depth) throws Exception {
        Path root = populated(tmp.resolve("shared"));
        populated(tmp.resolve("other"));
        Path dir = lib(root);
        for (int i = depth; i < 4; i++) {
            dir = dir.getParent();
        }
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
        List<String> tried = new ArrayList<>();
        try (LibraryFile f = extract(tried, root, tmp.resolve("other"))) {
            assertThat(f.path()).isEqualTo(lib(tmp.resolve("other")));
        }
        assertThat(tried)
                .singleElement(InstanceOfAssertFactories.STRING)
                .contains(dir + " is writable by group or others (mode 0777)");
    }

    /** Each directory on the way, and the library itself, replaced by a link to a genuine copy: not followed. */
    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, 3, 4})
    void aLinkOnTheWayIsNotFollowedEvenToAGenuineCopy(int depth) throws Exception {
        Path genuine = populated(tmp.resolve("genuine"));
        populated(tmp.resolve("other"));
        Path root = tmp.resolve("linked");
        Path linked = lib(root);
        Path target = lib(genuine);
        for (int i = depth; i < 4; i++) {
            linked = linked.getParent();
            target = target.getParent();
        }
        if (depth > 0) {
            populated(root);
            deleteTree(linked);
        }
        Files.createSymbolicLink(linked, target);
        List<String> tried = new ArrayList<>();
        try (LibraryFile f = extract(tried, root, tmp.resolve("other"))) {
            assertThat(f.path()).isEqualTo(lib(tmp.resolve("other")));
        }
        assertThat(tried).singleElement(InstanceOfAssertFactories.STRING).contains(linked + " is a symbolic link");
    }

    @Test
    void aLibraryOthersCanWriteIsSkipped() throws Exception {
        Path root = tmp.resolve("native");
        Path lib = extracted(root);
        Files.setPosixFilePermissions(lib, PosixFilePermissions.fromString("rw-rw-r--"));
        populated(tmp.resolve("other"));
        List<String> tried = new ArrayList<>();
        extract(tried, root, tmp.resolve("other")).close();
        assertThat(tried).singleElement(InstanceOfAssertFactories.STRING).contains(lib + " is writable by group");
    }

    @Test
    void aDirectoryOrLibraryOfAnotherUserIsSkipped() throws Exception {
        Path root = tmp.resolve("theirs");
        Path lib = extracted(root);
        UserPrincipal nobody;
        try {
            nobody = root.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody");
            Files.setOwner(lib, nobody);
        } catch (java.io.IOException e) {
            nobody = null;
        }
        assumeTrue(nobody != null, "changing a file's owner needs root");
        populated(tmp.resolve("other"));
        List<String> tried = new ArrayList<>();
        extract(tried, root, tmp.resolve("other")).close();
        assertThat(tried)
                .singleElement(InstanceOfAssertFactories.STRING)
                .contains(lib + " is owned by uid 65534, not by this user");
        Files.setOwner(root, nobody);
        tried.clear();
        extract(tried, root, tmp.resolve("other")).close();
        assertThat(tried)
                .singleElement(InstanceOfAssertFactories.STRING)
                .contains(root + " is owned by uid 65534, not by this user");
    }

    @Test
    void anUnwritableHomeFallsBackToTheNextPlace() throws Exception {
        Path notADirectory = Files.writeString(tmp.resolve("home"), "a file where the home directory should be");
        Path fallback = populated(tmp.resolve("tmp"));
        try (LibraryFile f = extract(notADirectory.resolve(".cache"), fallback)) {
            assertThat(f.path()).startsWith(fallback).isRegularFile();
        }
    }

    @Test
    void aFreshPlaceIsANewPrivateDirectoryForThisJvm() throws Exception {
        Path parent = Files.createDirectory(tmp.resolve("squatted-tmp"));
        try (LibraryFile f =
                NativeJar.extract(CLASSIFIER, List.of(new NativeJar.Location(parent, true)), new ArrayList<>())) {
            Path root = parent.relativize(f.path()).getName(0);
            assertThat(root.toString()).startsWith("wasmer-java-" + System.getProperty("user.name") + "-");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(parent.resolve(root))))
                    .isEqualTo("rwx------");
            assertThat(f.sha256()).isEqualTo(jar().getProperty("sha256"));
        }
    }

    @Test
    void whenNoPlaceCanBeUsedTheFailureNamesEachAndWhy() throws Exception {
        Path file = Files.writeString(tmp.resolve("file"), "");
        Path shared = Files.createDirectories(tmp.resolve("shared"));
        Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxrwxrwx"));
        List<String> tried = new ArrayList<>();
        assertThatThrownBy(() -> extract(tried, file.resolve("cache"), shared))
                .isInstanceOf(java.io.IOException.class)
                .hasMessageContaining("no place to extract it to could be used: ")
                .hasMessageContaining(file.resolve("cache") + ": " + file.resolve("cache") + " is not a directory")
                .hasMessageContaining(shared + ": " + shared + " is writable by group or others (mode 0777)");
        assertThat(tried).hasSize(2);
    }

    @Test
    void aPlatformWithoutAJarOnTheClasspathHasNoLibrary() throws Exception {
        assertThat(NativeJar.classifierOnClasspath("linux-riscv64")).isNull();
        assertThat(NativeJar.extract("linux-riscv64", List.of(new NativeJar.Location(tmp, false)), new ArrayList<>()))
                .isNull();
        try (Stream<Path> s = Files.list(tmp)) {
            assertThat(s).isEmpty();
        }
    }

    @Test
    void theUsualPlacesAreTheCacheThenTheTemporaryDirectoryThenAFreshOne() {
        Path tmpdir = Path.of(System.getProperty("java.io.tmpdir"));
        assertThat(NativeJar.locations())
                .containsExactly(
                        new NativeJar.Location(Loader.cacheRoot(), false),
                        new NativeJar.Location(tmpdir.resolve("wasmer-java-" + System.getProperty("user.name")), false),
                        new NativeJar.Location(tmpdir, true));
    }

    static void deleteTree(Path dir) throws Exception {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
