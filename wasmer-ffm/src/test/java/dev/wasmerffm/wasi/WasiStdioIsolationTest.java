package dev.wasmerffm.wasi;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wasmerffm.ChildJvm;
import dev.wasmerffm.Engine;
import dev.wasmerffm.Instance;
import dev.wasmerffm.Memory;
import dev.wasmerffm.Module;
import dev.wasmerffm.Store;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A guest cannot reach the JVM's own stdio through libwasmer's descriptors 0-2 (issue 15): a stdio descriptor
 * renumbered is still served by the environment, a closed one stays closed, polling one answers from the
 * environment's buffers, and an iovec outside memory is the guest's errno. Run in
 * a child JVM fed a known stdin, which must still be there, unread, after the guest ran.
 */
class WasiStdioIsolationTest {

    static final String GUEST = """
            (module
              (import "wasi_snapshot_preview1" "fd_renumber" (func $renumber (param i32 i32) (result i32)))
              (import "wasi_snapshot_preview1" "fd_read" (func $read (param i32 i32 i32 i32) (result i32)))
              (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
              (import "wasi_snapshot_preview1" "fd_close" (func $close (param i32) (result i32)))
              (import "wasi_snapshot_preview1" "poll_oneoff" (func $poll (param i32 i32 i32 i32) (result i32)))
              (memory (export "memory") 1)
              (data (i32.const 0) "\\64\\00\\00\\00\\40\\00\\00\\00")
              (func (export "_start")
                ;; poll: fd_read of fd 0 (userdata 7) and a one-hour clock (userdata 9); events at 400, count at 480
                (i64.store (i32.const 300) (i64.const 7)) (i32.store8 (i32.const 308) (i32.const 1))
                (i32.store (i32.const 316) (i32.const 0))
                (i64.store (i32.const 348) (i64.const 9)) (i32.store8 (i32.const 356) (i32.const 0))
                (i32.store (i32.const 364) (i32.const 1)) (i64.store (i32.const 368) (i64.const 3600000000000))
                (i32.store (i32.const 232) (call $poll (i32.const 300) (i32.const 400) (i32.const 2) (i32.const 480)))
                (i32.store (i32.const 236) (i32.load (i32.const 480)))
                (i32.store (i32.const 240) (i32.load (i32.const 400)))
                (i32.store (i32.const 244) (i32.load8_u (i32.const 410)))
                (i32.store (i32.const 248) (i32.load (i32.const 416)))
                (i32.store (i32.const 200) (call $renumber (i32.const 0) (i32.const 10)))
                (i32.store (i32.const 204) (call $read (i32.const 10) (i32.const 0) (i32.const 1) (i32.const 16)))
                (i32.store (i32.const 208) (call $read (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 16)))
                (i32.store (i32.const 212) (i32.load (i32.const 16)))
                (i32.store (i32.const 216) (call $close (i32.const 1)))
                (i32.store (i32.const 220) (call $write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 16)))
                (i32.store (i32.const 224) (call $write (i32.const 2) (i32.const 70000) (i32.const 1) (i32.const 16)))
                (i32.store (i32.const 228) (call $renumber (i32.const 7) (i32.const 2)))
                ;; stdin moved over stderr: still the config's bytes (none left), never the JVM's
                (i32.store (i32.const 252) (call $renumber (i32.const 0) (i32.const 2)))
                (i32.store (i32.const 256) (call $read (i32.const 2) (i32.const 0) (i32.const 1) (i32.const 16)))
                (i32.store (i32.const 260) (i32.load (i32.const 16)))))
            """;

    @Test
    void aGuestReadsNothingOfTheJvmsStdinAndKeepsItsDescriptorsInPlace() throws Exception {
        Process p = ChildJvm.start(Guest.class);
        try (OutputStream stdin = p.getOutputStream()) {
            stdin.write("SECRET-STDIN-LINE\n".getBytes(StandardCharsets.UTF_8));
        }
        try {
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        } finally {
            if (p.isAlive()) { // a child that hangs must not outlive the test (destroy closes its output too)
                p.destroyForcibly();
            }
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as(out).isZero();
        // renumber onto 10, where nothing is open (EBADF, as WASI runtimes), fd 10 never opened (EBADF), fd 0
        // served from the config, close, write after close (EBADF), an iovec past memory (EFAULT), a renumber from
        // 7, never opened (EBADF); then the poll (run first): success, one event, for userdata 7, an fd_read, of the
        // config's 3 bytes (not the JVM's stdin), at once; then stdin moved over stderr reads the config's nothing
        assertThat(out)
                .contains(
                        "errnos 8 8 0 3 0 8 21 8 0 1 7 1 3 0 0 0",
                        "guest read [abc]",
                        "JVM stdin intact [SECRET-STDIN-LINE]");
    }

    /** The child JVM. */
    static final class Guest {
        public static void main(String[] args) throws Exception {
            try (Engine engine = new Engine();
                    Module module = Module.compile(engine, GUEST);
                    Store store = new Store(module);
                    WasiEnv wasi = WasiEnv.create(store, new WasiConfig("guest").stdin("abc".getBytes()))) {
                Instance instance = wasi.instantiate(module);
                wasi.startFunction(instance).call();
                Memory memory = instance.memory("memory");
                StringBuilder errnos = new StringBuilder("errnos");
                for (int at = 200; at <= 260; at += 4) {
                    errnos.append(' ')
                            .append(java.nio.ByteBuffer.wrap(memory.read(at, 4))
                                    .order(java.nio.ByteOrder.LITTLE_ENDIAN)
                                    .getInt());
                }
                System.out.println(errnos);
                System.out.println("guest read [" + new String(memory.read(100, 3), StandardCharsets.UTF_8) + "]");
            }
            String rest = new String(System.in.readAllBytes(), StandardCharsets.UTF_8).trim();
            System.out.println("JVM stdin intact [" + rest + "]");
        }
    }
}
