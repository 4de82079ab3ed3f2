package dev.wasmerffm.wasi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.management.UnixOperatingSystemMXBean;
import dev.wasmerffm.ChildJvm;
import dev.wasmerffm.Engine;
import dev.wasmerffm.Instance;
import dev.wasmerffm.Module;
import dev.wasmerffm.ResourceExhaustedException;
import dev.wasmerffm.Scale;
import dev.wasmerffm.Store;
import dev.wasmerffm.StoreLimitException;
import java.lang.management.ManagementFactory;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * What a WASI environment costs the process (issue 28): its file descriptors, threads and native memory must not
 * grow without bound, and running out of descriptors must be a typed exception, not a Rust panic.
 */
class WasiResourcesTest {

    static final UnixOperatingSystemMXBean OS =
            (UnixOperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    /**
     * A guest that sets iovecs at 1 MiB ({@code fill}: {@code count} of {@code len} bytes, all over the buffer at
     * 0; {@code iovec}: one) and writes them to stdout, its count stored at 2 MiB.
     */
    static final String WRITER = """
            (module
              (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
              (memory (export "memory") 33)
              (func $iovec (export "iovec") (param $i i32) (param $buf i32) (param $len i32)
                (i32.store (i32.add (i32.const 0x100000) (i32.shl (local.get $i) (i32.const 3))) (local.get $buf))
                (i32.store (i32.add (i32.const 0x100004) (i32.shl (local.get $i) (i32.const 3))) (local.get $len)))
              (func (export "fill") (param $count i32) (param $len i32)
                (local $i i32)
                (block $done (loop $next
                  (br_if $done (i32.ge_u (local.get $i) (local.get $count)))
                  (call $iovec (local.get $i) (i32.const 0) (local.get $len))
                  (local.set $i (i32.add (local.get $i) (i32.const 1)))
                  (br $next))))
              (func (export "write") (param $count i32) (result i32)
                (call $fd_write (i32.const 1) (i32.const 0x100000) (local.get $count) (i32.const 0x200000)))
              (func (export "written") (result i32) (i32.load (i32.const 0x200000))))
            """;

    static long threads() throws Exception {
        try (Stream<Path> s = Files.list(Path.of("/proc/self/task"))) {
            return s.count();
        }
    }

    static long status(String field) throws Exception {
        return Files.readAllLines(Path.of("/proc/self/status")).stream()
                .filter(l -> l.startsWith(field + ":"))
                .mapToLong(l -> Long.parseLong(l.replaceAll("\\D", "")))
                .findFirst()
                .orElseThrow();
    }

    /** Waits until the runtimes of freed environments have stopped their threads (they stop asynchronously). */
    static long settle(long threads) throws Exception {
        for (int i = 0; i < 500 && threads() > threads; i++) {
            Thread.sleep(20);
        }
        System.gc();
        Thread.sleep(100);
        return threads();
    }

    /**
     * libwasmer keeps every environment's runtime (about 7 descriptors, 3 threads) until its store is freed, closed
     * or not: 2 000 in one store once ran the process out of descriptors and libwasmer aborted it. Now the store
     * makes its cap and refuses every further one, so descriptors and RSS stay flat however many are asked for.
     */
    @Test
    void aStoreRefusesWasiEnvironmentsPastItsCapSoDescriptorsStayFlat() throws Exception {
        int attempts = Scale.of(200, 10_000);
        try (Engine engine = new Engine();
                Store store = new Store(engine)) {
            long fdsBefore = OS.getOpenFileDescriptorCount();
            long rssBefore = status("VmRSS");
            int made = 0;
            int refused = 0;
            for (int i = 0; i < attempts; i++) {
                try {
                    WasiEnv.create(store, new WasiConfig("x")).close();
                    made++;
                } catch (StoreLimitException e) {
                    assertThat(e.getMessage())
                            .contains(Store.DEFAULT_MAX_WASI_ENVIRONMENTS + " WASI environments")
                            .contains("file descriptors");
                    refused++;
                }
                if (i % 1000 == 0) {
                    System.gc(); // so RSS shows native memory, not a heap that grew for want of a collection
                }
            }
            System.gc();
            long fdsAfter = OS.getOpenFileDescriptorCount();
            long rssAfter = status("VmRSS");
            System.out.printf(
                    "%d WASI environments asked of one store: %d made, %d refused; descriptors %d -> %d, RSS %d -> %d"
                            + " KiB%n",
                    attempts, made, refused, fdsBefore, fdsAfter, rssBefore, rssAfter);
            assertThat(made).isEqualTo(Store.DEFAULT_MAX_WASI_ENVIRONMENTS);
            assertThat(refused).isEqualTo(attempts - made);
            // the closed environments still hold theirs (libwasmer frees them with the store): about 7 each
            assertThat(fdsAfter - fdsBefore).isLessThanOrEqualTo(made * 9L);
        }
        try (Engine engine = new Engine();
                Store store = new Store(engine).maxWasiEnvironments(Store.DEFAULT_MAX_WASI_ENVIRONMENTS + 2)) {
            for (int i = 0; i < Store.DEFAULT_MAX_WASI_ENVIRONMENTS + 2; i++) {
                WasiEnv.create(store, new WasiConfig("x")).close();
            }
            assertThatThrownBy(() -> WasiEnv.create(store, new WasiConfig("x")))
                    .isInstanceOf(StoreLimitException.class);
        }
    }

    /** Threads creating environments in one store at once: the cap holds exactly (it is counted under its lock). */
    @Test
    void racingThreadsMakeExactlyTheCappedNumberOfEnvironments() throws Exception {
        try (Engine engine = new Engine();
                Store store = new Store(engine).maxWasiEnvironments(6)) {
            java.util.concurrent.atomic.AtomicInteger made = new java.util.concurrent.atomic.AtomicInteger();
            java.util.concurrent.atomic.AtomicInteger refused = new java.util.concurrent.atomic.AtomicInteger();
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                threads.add(Thread.ofPlatform().start(() -> {
                    for (int i = 0; i < 3; i++) {
                        try {
                            WasiEnv.create(store, new WasiConfig("racer")).close();
                            made.incrementAndGet();
                        } catch (StoreLimitException e) {
                            refused.incrementAndGet();
                        }
                    }
                }));
            }
            for (Thread t : threads) {
                t.join();
            }
            assertThat(made.get()).isEqualTo(6);
            assertThat(refused.get()).isEqualTo(6);
        }
    }

    /**
     * libwasmer panics (aborting the JVM) when it cannot get the descriptors a WASI runtime takes: in a child JVM
     * whose limit is nearly reached, and one making environments in a store until descriptors run out, the creation
     * is refused with a typed exception and the JVM goes on.
     */
    @Test
    void anEnvironmentWithTooFewFreeDescriptorsIsRefusedTypedInsteadOfAbortingTheJvm() throws Exception {
        String out = ChildJvm.run(400, List.of(), DescriptorScenario.class);
        assertThat(out).contains("survived");
    }

    /** The child JVM of the test above; exits 0 only if every check held. */
    static final class DescriptorScenario {
        public static void main(String[] args) throws Exception {
            try (Engine engine = new Engine();
                    Store store = new Store(engine)) {
                // as a process at its limit: only 3 descriptors left
                List<FileChannel> held = new ArrayList<>();
                while (OS.getMaxFileDescriptorCount() - OS.getOpenFileDescriptorCount() > 3) {
                    held.add(FileChannel.open(Path.of("/dev/null")));
                }
                try {
                    WasiEnv.create(store, new WasiConfig("starved")).close();
                    throw new AssertionError("an environment was made with 3 descriptors free");
                } catch (ResourceExhaustedException e) {
                    check(e.getMessage().contains("file descriptors"), e.getMessage());
                }
                for (FileChannel c : held) {
                    c.close();
                }
                WasiEnv.create(store, new WasiConfig("fed")).close();
            }
            // environments in one store until the descriptors run out: refused, never aborted
            try (Engine engine = new Engine();
                    Store store = new Store(engine).maxWasiEnvironments(10_000)) {
                int made = 0;
                try {
                    for (; made < 10_000; made++) {
                        WasiEnv.create(store, new WasiConfig("many")).close();
                    }
                    throw new AssertionError("10 000 environments under a limit of 400 descriptors");
                } catch (ResourceExhaustedException e) {
                    check(made > 10, "only " + made + " environments before the refusal");
                    System.out.println("refused after " + made + " environments: " + e.getMessage());
                }
            }
            System.out.println("survived");
        }

        static void check(boolean ok, String what) {
            if (!ok) {
                throw new AssertionError(what);
            }
        }
    }

    /** 131 072 iovecs of 1 MiB (128 GiB) once reported 0 bytes written with errno 0: the count wrapped at 32 bits. */
    @Test
    void fdWriteOfMoreThanACountCanHoldIsAShortWriteNotAWrappedCount() {
        try (Engine engine = new Engine();
                Module module = Module.compile(engine, WRITER);
                Store store = new Store(engine);
                WasiEnv wasi = WasiEnv.create(store, new WasiConfig("writer").maxOutput(100))) {
            Instance guest = wasi.instantiate(module);
            int mib = 1 << 20;
            for (int count : new int[] {131_072, 4_097}) {
                guest.func("fill").call(count, mib);
                assertThat(guest.func("write").call(count)[0]).as("errno").isEqualTo(0);
                // a short write of all a u32 holds; the guest's libc writes the rest in its next call
                assertThat(written(guest)).isEqualTo(0xFFFF_FFFFL);
            }
            guest.func("fill").call(4_095, mib);
            assertThat(guest.func("write").call(4_095)[0]).isEqualTo(0);
            assertThat(written(guest)).isEqualTo(4_095L * mib);
            guest.func("fill").call(3, 5);
            assertThat(guest.func("write").call(3)[0]).isEqualTo(0);
            assertThat(written(guest)).isEqualTo(15);
            assertThat(wasi.stdout()).hasSize(100);
        }
    }

    static long written(Instance guest) {
        return Integer.toUnsignedLong((Integer) guest.func("written").call()[0]);
    }

    /** An iovec outside memory is EFAULT before anything is written, as writev checks every iovec first. */
    @Test
    void fdWriteWithAnIovecOutsideMemoryWritesNothing() {
        try (Engine engine = new Engine();
                Module module = Module.compile(engine, WRITER);
                Store store = new Store(engine);
                WasiEnv wasi = WasiEnv.create(store, new WasiConfig("writer"))) {
            Instance guest = wasi.instantiate(module);
            guest.func("iovec").call(0, 0, 10);
            guest.func("iovec").call(1, 33 * 65536 - 4, 5); // its last byte is past the end of memory
            assertThat(guest.func("write").call(2)[0]).as("EFAULT").isEqualTo(21);
            assertThat(wasi.stdout()).isEmpty();
            assertThat(guest.func("write").call(-1)[0])
                    .as("2^32 - 1 iovecs, past memory")
                    .isEqualTo(21);
            assertThat(guest.func("write").call(1 << 29)[0])
                    .as("iovecs past memory")
                    .isEqualTo(21);
            assertThat(wasi.stdout()).isEmpty();
            guest.func("iovec").call(1, 33 * 65536 - 5, 5);
            assertThat(guest.func("write").call(2)[0]).isEqualTo(0);
            assertThat(wasi.stdout()).hasSize(15);
        }
    }

    /**
     * Each store with a WASI environment once compiled a placeholder module, whose code libwasmer keeps as long as
     * the engine (about 5-7 KiB of address space per store, and half a millisecond): now nothing is compiled per
     * store, and address space stays where it was.
     */
    @Test
    void storesWithAWasiEnvironmentEachLeaveNothingBehindInTheEngine() throws Exception {
        int stores = Scale.of(3_000, 100_000);
        try (Engine engine = new Engine()) {
            for (int i = 0; i < 300; i++) {
                storeWithWasi(engine);
            }
            long threads = settle(threads() - 10);
            long vmBefore = status("VmSize");
            long rssBefore = status("VmRSS");
            long fdsBefore = OS.getOpenFileDescriptorCount();
            long started = System.nanoTime();
            for (int i = 0; i < stores; i++) {
                storeWithWasi(engine);
                if (i % 1000 == 0) {
                    System.gc(); // so RSS shows native memory, not a heap that grew for want of a collection
                }
            }
            long elapsed = System.nanoTime() - started;
            settle(threads);
            long vmAfter = status("VmSize");
            long rssAfter = status("VmRSS");
            long fdsAfter = OS.getOpenFileDescriptorCount();
            System.out.printf(
                    "%d stores with a WASI environment: %.2f ms each; VmSize %d -> %d KiB, RSS %d -> %d KiB (%+.1f%%),"
                            + " descriptors %d -> %d, threads %d -> %d%n",
                    stores,
                    elapsed / 1e6 / stores,
                    vmBefore,
                    vmAfter,
                    rssBefore,
                    rssAfter,
                    100.0 * (rssAfter - rssBefore) / rssBefore,
                    fdsBefore,
                    fdsAfter,
                    threads,
                    threads());
            assertThat(vmAfter - vmBefore).as("KiB of address space").isLessThan(stores);
            assertThat(fdsAfter).isLessThanOrEqualTo(fdsBefore + 2);
        }
    }

    static void storeWithWasi(Engine engine) {
        try (Store store = new Store(engine)) {
            WasiEnv.create(store, new WasiConfig("x")).close();
        }
    }
}
