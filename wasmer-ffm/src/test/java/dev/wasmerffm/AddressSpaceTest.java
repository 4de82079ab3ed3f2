package dev.wasmerffm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wasmerffm.internal.store.AddressSpace;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Address space as a resource (issue 28): every memory reserves 8 GiB until its store is freed, which the Java heap
 * cannot see, so forgotten stores once ran the address space out before any collection let the Cleaner free them.
 */
class AddressSpaceTest {

    static final long GIB_IN_KIB = 1L << 20;
    static final String ONE_MEMORY = """
            (module (memory (export "memory") 1) (func (export "one") (result i32) i32.const 1))
            """;

    /**
     * 20-40 k forgotten stores with a memory once ended in failed instantiations (the address space reached 128 TiB
     * before any collection): the reservations now ask for one, and the address space stays within a few steps of
     * {@link AddressSpace#COLLECT_STEP} memories, without the loop collecting anything itself.
     */
    @Test
    void aLoopForgettingStoresStaysFlatInAddressSpace() throws Exception {
        int stores = Scale.of(10_000, 100_000);
        try (Engine engine = new Engine();
                Module module = Module.compile(engine, ONE_MEMORY)) {
            LiveObjects.settled();
            long vmBefore = LifetimeModelTest.status("VmSize");
            long rssBefore = LifetimeModelTest.status("VmRSS");
            long peak = vmBefore;
            long started = System.nanoTime();
            for (int i = 0; i < stores; i++) {
                Store store = new Store(engine); // forgotten: never closed, left to the Cleaner
                if (Instance.create(store, module).func("one").asIntSupplier().getAsInt() != 1) {
                    throw new AssertionError();
                }
                if (i % 100 == 0) {
                    peak = Math.max(peak, LifetimeModelTest.status("VmSize"));
                }
            }
            long elapsed = System.nanoTime() - started;
            long vmAfter = LifetimeModelTest.status("VmSize");
            long rssAfter = LifetimeModelTest.status("VmRSS");
            System.out.printf(
                    "%d forgotten stores: %.1f us each; VmSize %d GiB -> peak %d GiB -> %d GiB, RSS %d -> %d KiB,"
                            + " reserved memories now %d%n",
                    stores,
                    elapsed / 1e3 / stores,
                    vmBefore / GIB_IN_KIB,
                    peak / GIB_IN_KIB,
                    vmAfter / GIB_IN_KIB,
                    rssBefore,
                    rssAfter,
                    AddressSpace.reserved());
            // 8 GiB each: without collections the loop passes 8 steps of reservations at a fifth of its length
            assertThat((peak - vmBefore) / GIB_IN_KIB).isLessThan(8L * AddressSpace.COLLECT_STEP * 8);
        }
    }

    @Test
    void everyMemoryIsCountedUntilItsStoreIsFreed() throws Exception {
        String twoMemories = """
                (module (memory (import "env" "m") 1) (memory (export "a") 1) (memory (export "b") 0))
                """;
        try (Engine engine = new Engine();
                Module module = Module.compile(engine, twoMemories);
                Module none = Module.compile(engine, "(module (func (export \"f\")))")) {
            LiveObjects.settled();
            long before = AddressSpace.reserved();
            Store store = new Store(engine);
            Memory imported = Memory.create(store, new MemoryType(new Limits(1, 2)));
            assertThat(AddressSpace.reserved()).isEqualTo(before + 1);
            Instance.create(store, module, imported).close();
            Instance.create(store, none).close();
            assertThat(AddressSpace.reserved())
                    .as("the imported memory is not counted twice")
                    .isEqualTo(before + 3);
            ArtifactKey key = ArtifactKey.random();
            try (Module loaded = Module.deserialize(engine, module.serialize(key), key, module.identity())) {
                Instance.create(store, loaded, imported);
            }
            assertThat(AddressSpace.reserved())
                    .as("a deserialized module's too")
                    .isEqualTo(before + 5);
            store.close();
            assertThat(AddressSpace.reserved()).isEqualTo(before);
        }
    }

    /**
     * Past the limit an instantiation waits for the Cleaner after a collection, then is refused with a typed
     * exception; forgotten stores are reclaimed on the way. A child JVM, as the limit is read once per process.
     */
    @Test
    void instancesPastTheMemoryLimitAreRefusedTypedAndForgottenStoresMakeRoom() throws Exception {
        String java = ProcessHandle.current().info().command().orElseThrow();
        Process p = new ProcessBuilder(
                        java,
                        "-D" + AddressSpace.MAX_PROPERTY + "=64",
                        "--enable-native-access=ALL-UNNAMED",
                        "-cp",
                        System.getProperty("java.class.path"),
                        LimitScenario.class.getName())
                .redirectErrorStream(true)
                .start();
        boolean ended = p.waitFor(120, TimeUnit.SECONDS);
        String out = new String(p.getInputStream().readAllBytes());
        if (!ended) {
            p.destroyForcibly();
        }
        System.out.print(out);
        assertThat(ended).as("child JVM hung: %s", out).isTrue();
        assertThat(p.exitValue()).as("child exited abnormally:%n%s", out).isZero();
        assertThat(out).contains("survived");
    }

    /** The child JVM of the test above, with a limit of 64 memories; exits 0 only if every check held. */
    static final class LimitScenario {
        public static void main(String[] args) throws InterruptedException {
            try (Engine engine = new Engine();
                    Module module = Module.compile(engine, ONE_MEMORY)) {
                for (int i = 0; i < 2_000; i++) {
                    Instance.create(new Store(engine), module); // forgotten, 31 times the limit
                }
                List<Store> held = new ArrayList<>();
                ResourceExhaustedException refused = null;
                try {
                    for (int i = 0; i < 65; i++) {
                        Store store = new Store(engine);
                        held.add(store);
                        Instance.create(store, module);
                    }
                } catch (ResourceExhaustedException e) {
                    refused = e;
                }
                check(refused != null, "65 memories held under a limit of 64");
                check(refused.getMessage().contains(AddressSpace.MAX_PROPERTY), refused.getMessage());
                Store last = held.getLast();
                try {
                    Memory.create(last, new MemoryType(new Limits(1, 1)));
                    check(false, "a host memory past the limit");
                } catch (ResourceExhaustedException expected) {
                    // also refused
                }
                // from inside a host function: the same refusal, as the call's cause
                try (Module calls = Module.compile(
                        engine, "(module (import \"env\" \"h\" (func $h))" + " (func (export \"run\") call $h))")) {
                    Func h = Func.host(
                            last, FuncType.of(List.of(), List.of()), c -> Instance.create(new Store(engine), module));
                    Func run = Instance.create(last, calls, new Imports().define("env", "h", h))
                            .func("run");
                    try {
                        run.call();
                        check(false, "an instance past the limit from a host function");
                    } catch (TrapException e) {
                        check(e.getCause() instanceof ResourceExhaustedException, "cause: " + e.getCause());
                    }
                }
                held.getFirst().close();
                check(Instance.create(last, module).func("one").call()[0].equals(1), "the freed room is used");
                held.forEach(Store::close);
                racingThreadsNeverPassTheLimit(engine, module);
                for (int i = 0; i < 100 && AddressSpace.reserved() > 0; i++) {
                    System.gc(); // any forgotten store the refusal's wait did not need
                    Thread.sleep(50);
                }
                check(AddressSpace.reserved() == 0, "reserved after closing all: " + AddressSpace.reserved());
                System.out.println("refused: " + refused.getMessage());
            }
            System.out.println("survived");
        }

        /** Four threads holding stores until refused: together they never hold more than the limit. */
        static void racingThreadsNeverPassTheLimit(Engine engine, Module module) throws InterruptedException {
            List<Store> held = java.util.Collections.synchronizedList(new ArrayList<>());
            java.util.concurrent.atomic.AtomicLong most = new java.util.concurrent.atomic.AtomicLong();
            java.util.concurrent.atomic.AtomicInteger refusals = new java.util.concurrent.atomic.AtomicInteger();
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                threads.add(Thread.ofPlatform().start(() -> {
                    try {
                        while (true) {
                            Store store = new Store(engine);
                            held.add(store);
                            Instance.create(store, module);
                            most.accumulateAndGet(AddressSpace.reserved(), Math::max);
                        }
                    } catch (ResourceExhaustedException e) {
                        refusals.incrementAndGet();
                    }
                }));
            }
            for (Thread t : threads) {
                t.join();
            }
            check(refusals.get() == 4, "every thread ends refused: " + refusals);
            check(most.get() <= 64, "at most 64 memories at once, saw " + most);
            held.forEach(Store::close);
            System.out.println("racing threads held " + most + " memories at most");
        }

        static void check(boolean ok, String what) {
            if (!ok) {
                throw new AssertionError(what);
            }
        }
    }
}
