package dev.wasmerffm.wasi;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.NotLinkException;
import org.junit.jupiter.api.Test;

/** The errno a failed host file operation gives the guest: by the JDK's exception, else by POSIX's message. */
class WasiErrnoTest {

    @Test
    void eachHostFailureHasItsWasiErrno() {
        assertThat(WasiErrno.of(new NoSuchFileException("f"))).isEqualTo(WasiErrno.NOENT);
        assertThat(WasiErrno.of(new FileAlreadyExistsException("f"))).isEqualTo(WasiErrno.EXIST);
        assertThat(WasiErrno.of(new DirectoryNotEmptyException("d"))).isEqualTo(WasiErrno.NOTEMPTY);
        assertThat(WasiErrno.of(new NotDirectoryException("f"))).isEqualTo(WasiErrno.NOTDIR);
        assertThat(WasiErrno.of(new NotLinkException("f"))).isEqualTo(WasiErrno.INVAL);
        assertThat(WasiErrno.of(new AccessDeniedException("f"))).isEqualTo(WasiErrno.ACCES);
        assertThat(WasiErrno.of(new FileSystemLoopException("f"))).isEqualTo(WasiErrno.LOOP);
        String[][] byReason = {
            {"Not a directory", "54"},
            {"Is a directory", "31"},
            {"Too many levels of symbolic links", "32"},
            {"Operation not permitted", "63"},
            {"File name too long", "37"},
            {"Invalid cross-device link", "75"},
            {"Directory not empty", "55"},
            {"File exists", "20"},
            {"No space left on device", "29"}
        };
        for (String[] r : byReason) {
            assertThat(WasiErrno.of(new FileSystemException("f", null, r[0])))
                    .as(r[0])
                    .isEqualTo(Integer.parseInt(r[1]));
        }
        assertThat(WasiErrno.of(new FileSystemException("f"))).as("no reason").isEqualTo(WasiErrno.IO);
        assertThat(WasiErrno.of(new IOException("other"))).isEqualTo(WasiErrno.IO);
    }
}
