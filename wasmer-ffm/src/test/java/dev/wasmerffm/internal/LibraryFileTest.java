package dev.wasmerffm.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.wasmerffm.ChildJvm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Opening a library once and checking it: named by the user, and the copying way macOS uses. */
class LibraryFileTest {

    @TempDir
    Path tmp;

    @Test
    void aNamedLinkIsResolvedOnceAndTheFileItselfChecked() throws Exception {
        Path real = Files.writeString(tmp.resolve("libreal.so"), "a library");
        Path link = Files.createSymbolicLink(tmp.resolve("libwasmer.so"), real);
        try (LibraryFile f = LibraryFile.openNamed(link)) {
            assertThat(f.path()).isEqualTo(real.toRealPath());
            assertThat(f.sha256()).isEqualTo(NativeJar.sha256(real));
        }
        assertThat(LibraryFile.openNamed(tmp.resolve("absent.so"))).isNull();
        Files.setPosixFilePermissions(real, PosixFilePermissions.fromString("rw-rw-rw-"));
        assertThatThrownBy(() -> LibraryFile.openNamed(link))
                .isInstanceOf(LibraryFile.Untrusted.class)
                .hasMessage(real.toRealPath() + " is writable by group or others (mode 0666), who could change it");
    }

    /** A FIFO in place of the library: refused at once (opened non-blocking), not waited on forever. */
    @Test
    void aFifoNamedAsTheLibraryIsRefusedWithoutBlocking() throws Exception {
        Path fifo = tmp.resolve("libwasmer.so");
        assertThat(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor())
                .isZero();
        assertThatThrownBy(() -> LibraryFile.openNamed(fifo))
                .isInstanceOf(LibraryFile.Untrusted.class)
                .hasMessage(fifo + " is not a regular file");
    }

    @Test
    void aNamedLibraryOfAnotherUserIsRefused() throws Exception {
        Path lib = Files.writeString(tmp.resolve("libwasmer.so"), "a library");
        UserPrincipal nobody;
        try {
            nobody = lib.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody");
            Files.setOwner(lib, nobody);
        } catch (java.io.IOException e) {
            nobody = null;
        }
        assumeTrue(nobody != null, "changing a file's owner needs root");
        assertThatThrownBy(() -> LibraryFile.openNamed(lib))
                .isInstanceOf(LibraryFile.Untrusted.class)
                .hasMessageContaining("is owned by uid 65534, not by this user (uid " + OwnFiles.currentUid()
                        + ") or root, who could change it");
    }

    /** Without /proc/self/fd, what was read is copied into a fresh private directory, and the copy is loaded. */
    @Test
    void withoutDescriptorsTheFileReadIsCopiedPrivatelyAndTheCopyDeletedWhenNotLoaded() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("root/lib"));
        Path lib = Files.writeString(dir.resolve("libwasmer.so"), "a library");
        Files.setPosixFilePermissions(tmp.resolve("root"), PosixFilePermissions.fromString("rwx------"));
        LibraryFile f = LibraryFile.openWithoutDescriptors(
                tmp.resolve("root"), List.of("lib"), "libwasmer.so", LibraryFile.Policy.CACHE);
        Path replacement = Files.writeString(dir.resolve("replacement"), "renamed over it after the open");
        Files.move(replacement, lib, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        String sha256 = f.sha256();
        assertThat(sha256).isNotEqualTo(NativeJar.sha256(lib));
        try (var copies = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            Path copy = copies.filter(p -> p.getFileName().toString().startsWith("wasmer-java-load-"))
                    .map(p -> p.resolve("libwasmer.so"))
                    .filter(p -> Files.exists(p))
                    .filter(p -> {
                        try {
                            return NativeJar.sha256(p).equals(sha256);
                        } catch (java.io.IOException e) {
                            return false;
                        }
                    })
                    .findFirst()
                    .orElseThrow();
            assertThat(Files.readString(copy)).isEqualTo("a library");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(copy.getParent())))
                    .isEqualTo("rwx------");
            f.close();
            assertThat(copy.getParent()).doesNotExist();
        }
    }

    @Test
    void withoutDescriptorsLinksAndWritableFilesAreRefusedToo() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("root/lib"));
        Path real = Files.writeString(tmp.resolve("elsewhere.so"), "a library");
        Path lib = Files.createSymbolicLink(dir.resolve("libwasmer.so"), real);
        assertThatThrownBy(() -> LibraryFile.openWithoutDescriptors(
                        tmp.resolve("root"), List.of("lib"), "libwasmer.so", LibraryFile.Policy.CACHE))
                .isInstanceOf(LibraryFile.Untrusted.class)
                .hasMessage(lib + " is a symbolic link (not followed)");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
        assertThatThrownBy(() -> LibraryFile.openWithoutDescriptors(
                        tmp.resolve("root"), List.of("lib"), "libwasmer.so", LibraryFile.Policy.CACHE))
                .isInstanceOf(LibraryFile.Untrusted.class)
                .hasMessage(dir + " is writable by group or others (mode 0777), who could change it");
    }

    /** A whole start the copying way, in a child JVM: the library loads and works. */
    @Test
    void aJvmLoadsThroughAPrivateCopyWhenAskedTo() throws Exception {
        ProcessBuilder pb = new ProcessBuilder(ChildJvm.java(
                List.of(
                        "-XX:-UsePerfData",
                        "-D" + LibraryFile.COPY_PROPERTY + "=true",
                        "-Duser.home=" + Files.createDirectories(tmp.resolve("home")),
                        "-Djava.io.tmpdir=" + Files.createDirectories(tmp.resolve("tmp"))),
                System.getProperty("java.class.path"),
                VictimProbe.class));
        pb.environment().keySet().removeAll(Set.of("WASMER_DIR", "WASMER_JAVA_CACHE", "XDG_CACHE_HOME"));
        String out = ChildJvm.exec(pb, Duration.ofSeconds(120)).ok();
        assertThat(out).contains("LOADED " + tmp.resolve("home/.cache/wasmer-java/native"), "GENUINE");
        try (var left = Files.list(tmp.resolve("tmp"))) {
            assertThat(left)
                    .as("the private copy is deleted when the JVM exits")
                    .isEmpty();
        }
    }
}
