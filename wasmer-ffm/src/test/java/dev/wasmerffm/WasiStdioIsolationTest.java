package dev.wasmerffm;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A guest cannot reach the JVM's own stdio through libwasmer's descriptors 0-2 (issue 15): renumbering or
 * duplicating them is refused, a closed one stays closed, and an iovec outside memory is the guest's errno. Run in
 * a child JVM fed a known stdin, which must still be there, unread, after the guest ran.
 */
class WasiStdioIsolationTest {

    static final String GUEST = """
            (module
              (import "wasi_snapshot_preview1" "fd_renumber" (func $renumber (param i32 i32) (result i32)))
              (import "wasi_snapshot_preview1" "fd_read" (func $read (param i32 i32 i32 i32) (result i32)))
              (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
              (import "wasi_snapshot_preview1" "fd_close" (func $close (param i32) (result i32)))
              (memory (export "memory") 1)
              (data (i32.const 0) "\\64\\00\\00\\00\\40\\00\\00\\00")
              (func (export "_start")
                (i32.store (i32.const 200) (call $renumber (i32.const 0) (i32.const 10)))
                (i32.store (i32.const 204) (call $read (i32.const 10) (i32.const 0) (i32.const 1) (i32.const 16)))
                (i32.store (i32.const 208) (call $read (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 16)))
                (i32.store (i32.const 212) (i32.load (i32.const 16)))
                (i32.store (i32.const 216) (call $close (i32.const 1)))
                (i32.store (i32.const 220) (call $write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 16)))
                (i32.store (i32.const 224) (call $write (i32.const 2) (i32.const 70000) (i32.const 1) (i32.const 16)))
                (i32.store (i32.const 228) (call $renumber (i32.const 7) (i32.const 2)))))
            """;

    @Test
    void aGuestReadsNothingOfTheJvmsStdinAndKeepsItsDescriptorsInPlace() throws Exception {
        String java = ProcessHandle.current().info().command().orElseThrow();
        Process p = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "-cp",
                System.getProperty("java.class.path"), Guest.class.getName()).redirectErrorStream(true).start();
        try (OutputStream stdin = p.getOutputStream()) {
            stdin.write("SECRET-STDIN-LINE\n".getBytes(StandardCharsets.UTF_8));
        }
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as(out).isZero();
        // renumber refused (ENOTSUP), fd 10 never opened (EBADF), fd 0 served from the config, close, write after
        // close (EBADF), an iovec past memory (EFAULT), a renumber onto stderr refused
        assertThat(out).contains("errnos 58 8 0 3 0 8 21 58", "guest read [abc]",
                "JVM stdin intact [SECRET-STDIN-LINE]");
    }

    /** The child JVM. */
    static final class Guest {
        public static void main(String[] args) throws Exception {
            try (Engine engine = new Engine(); Module module = Module.compile(engine, GUEST);
                    Store store = new Store(module);
                    WasiEnv wasi = WasiEnv.create(store, new WasiConfig("guest").stdin("abc".getBytes()))) {
                Instance instance = wasi.instantiate(module);
                wasi.startFunction(instance).call();
                Memory memory = instance.memory("memory");
                StringBuilder errnos = new StringBuilder("errnos");
                for (int at = 200; at <= 228; at += 4) {
                    errnos.append(' ').append(java.nio.ByteBuffer.wrap(memory.read(at, 4))
                            .order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt());
                }
                System.out.println(errnos);
                System.out.println("guest read [" + new String(memory.read(100, 3), StandardCharsets.UTF_8) + "]");
            }
            String rest = new String(System.in.readAllBytes(), StandardCharsets.UTF_8).trim();
            System.out.println("JVM stdin intact [" + rest + "]");
        }
    }
}
