package dev.wasmerffm.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Extraction of the platform jar (wasmer-native on the test classpath) into fresh directories. */
class NativeJarTest {

    static final String PLATFORM = NativeJar.platform();

    @TempDir
    Path tmp;

    static Properties jar() throws Exception {
        Properties p = new Properties();
        try (InputStream in = NativeJarTest.class
                .getClassLoader()
                .getResourceAsStream("META-INF/wasmer-native/" + PLATFORM + "/wasmer-native.properties")) {
            assertThat(in)
                    .as("the wasmer-native jar of " + PLATFORM + " is on the test classpath")
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

    @Test
    void theRunningPlatformIsNamedLikeTheJarClassifiers() {
        assertThat(PLATFORM).matches("(linux|osx|windows)-(x86_64|aarch64)");
        assertThat(NativeJar.coordinates("osx-aarch64")).isEqualTo("dev.wasmerffm:wasmer-native:osx-aarch64");
    }

    @Test
    void extractsOnceIntoADirectoryNamedByTheHashAndReusesTheVerifiedCopy() throws Exception {
        Properties jar = jar();
        Path root = tmp.resolve("cache/native");
        Path lib = NativeJar.extract(PLATFORM, List.of(root));
        assertThat(lib)
                .isEqualTo(root.resolve(jar.getProperty("wasmer.version") + "-" + jar.getProperty("sha256"))
                        .resolve("lib")
                        .resolve(Loader.FILE_NAME));
        assertThat(NativeJar.sha256(lib)).isEqualTo(jar.getProperty("sha256"));
        assertThat(lib.resolveSibling("../include/wasmer.h").normalize()).isRegularFile();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(root)))
                .isEqualTo("rwx------");
        var modified = Files.getLastModifiedTime(lib);
        assertThat(NativeJar.extract(PLATFORM, List.of(root))).isEqualTo(lib);
        assertThat(Files.getLastModifiedTime(lib))
                .as("reused, not written again")
                .isEqualTo(modified);
        assertThat(files(root))
                .as("the library, its verified stamp and the headers")
                .hasSize(2 + jar.getProperty("include").split(" ").length);
    }

    /**
     * The hash is checked again only when size, modification time or inode changed: an in-place write is caught
     * by its time; only a write whose time is then set back (which only the directory's owner can do) is not.
     */
    @Test
    void aVerifiedCopyIsHashedAgainOnlyWhenItsSizeTimeOrIdentityChanged() throws Exception {
        Path root = tmp.resolve("native");
        Path lib = NativeJar.extract(PLATFORM, List.of(root));
        String good = NativeJar.sha256(lib);
        var time = Files.getLastModifiedTime(lib);
        try (var f = java.nio.channels.FileChannel.open(lib, java.nio.file.StandardOpenOption.WRITE)) {
            f.write(java.nio.ByteBuffer.wrap(new byte[] {1, 2, 3, 4}), f.size() / 2);
        }
        Files.setLastModifiedTime(lib, time);
        NativeJar.extract(PLATFORM, List.of(root));
        assertThat(NativeJar.sha256(lib))
                .as("same size, time and inode: trusted as verified")
                .isNotEqualTo(good);
        Files.setLastModifiedTime(lib, FileTime.fromMillis(time.toMillis() + 1000));
        NativeJar.extract(PLATFORM, List.of(root));
        assertThat(NativeJar.sha256(lib))
                .as("its time changed: hashed, found altered, extracted again")
                .isEqualTo(good);
    }

    @Test
    void aTruncatedCopyIsExtractedAgain() throws Exception {
        Path root = tmp.resolve("native");
        Path lib = NativeJar.extract(PLATFORM, List.of(root));
        Files.write(lib, new byte[] {0x7f, 'E', 'L', 'F'});
        assertThat(NativeJar.extract(PLATFORM, List.of(root))).isEqualTo(lib);
        assertThat(NativeJar.sha256(lib)).isEqualTo(jar().getProperty("sha256"));
    }

    @Test
    void temporaryFilesOfAKilledExtractionAreDeletedAndOnesBeingWrittenKept() throws Exception {
        Path root = tmp.resolve("native");
        Path lib = NativeJar.extract(PLATFORM, List.of(root));
        Files.delete(lib);
        Path abandoned = Files.writeString(lib.resolveSibling(".libwasmer.so123.tmp"), "half a library");
        Files.setLastModifiedTime(abandoned, FileTime.from(Instant.now().minusSeconds(120)));
        Path inProgress = Files.writeString(lib.resolveSibling(".libwasmer.so456.tmp"), "being written");
        assertThat(NativeJar.extract(PLATFORM, List.of(root))).isEqualTo(lib);
        assertThat(abandoned).doesNotExist();
        assertThat(inProgress).exists();
    }

    @Test
    void concurrentExtractionsAllGetTheLibraryAndLeaveOneCopy() throws Exception {
        Path root = tmp.resolve("native");
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Path>> results = pool.invokeAll(IntStream.range(0, 4)
                    .mapToObj(i -> (Callable<Path>) () -> NativeJar.extract(PLATFORM, List.of(root)))
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

    @Test
    void aDirectoryOtherUsersCanWriteIsRefused() throws Exception {
        Path root = Files.createDirectories(tmp.resolve("shared/native"));
        Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxrwxrwx"));
        assertThatThrownBy(() -> NativeJar.extract(PLATFORM, List.of(root, tmp.resolve("other/native"))))
                .isInstanceOf(NativeJar.Refusal.class)
                .hasMessageContaining(root + " is writable by group or others (rwxrwxrwx)")
                .hasMessageContaining("chmod go-w " + root);
        assertThat(tmp.resolve("other")).as("a refusal is not worked around").doesNotExist();
    }

    @Test
    void aDirectoryOfAnotherUserIsRefused() throws Exception {
        Path root = Files.createDirectories(tmp.resolve("theirs/native"));
        UserPrincipal nobody;
        try {
            nobody = root.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody");
            Files.setOwner(root, nobody);
        } catch (java.io.IOException e) {
            nobody = null;
        }
        assumeTrue(nobody != null, "changing a directory's owner needs root");
        assertThatThrownBy(() -> NativeJar.extract(PLATFORM, List.of(root)))
                .isInstanceOf(NativeJar.Refusal.class)
                .hasMessageContaining(root + " is owned by nobody");
    }

    @Test
    void anUnwritableHomeFallsBackToTheNextDirectory() throws Exception {
        Path notADirectory = Files.writeString(tmp.resolve("home"), "a file where the home directory should be");
        Path fallback = tmp.resolve("tmp/native");
        Path lib = NativeJar.extract(PLATFORM, List.of(notADirectory.resolve(".cache/native"), fallback));
        assertThat(lib).startsWith(fallback).isRegularFile();
    }

    @Test
    void aPlatformWithoutAJarOnTheClasspathHasNoLibrary() throws Exception {
        assertThat(NativeJar.extract("linux-riscv64", List.of(tmp.resolve("native"))))
                .isNull();
        assertThat(tmp.resolve("native")).doesNotExist();
    }

    @Test
    void theUsualRootsAreTheCacheThenTheTemporaryDirectory() {
        assertThat(NativeJar.roots())
                .containsExactly(
                        Loader.cacheRoot().resolve("native"),
                        Path.of(
                                System.getProperty("java.io.tmpdir"),
                                "wasmer-java-" + System.getProperty("user.name"),
                                "native"));
    }
}
