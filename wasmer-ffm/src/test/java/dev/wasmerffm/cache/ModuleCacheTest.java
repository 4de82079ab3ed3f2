package dev.wasmerffm.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.wasmerffm.ArtifactKey;
import dev.wasmerffm.Backend;
import dev.wasmerffm.Config;
import dev.wasmerffm.Engine;
import dev.wasmerffm.Feature;
import dev.wasmerffm.Instance;
import dev.wasmerffm.Metering;
import dev.wasmerffm.Module;
import dev.wasmerffm.Store;
import dev.wasmerffm.TestModules;
import dev.wasmerffm.Wasmer;
import dev.wasmerffm.internal.OwnFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModuleCacheTest {

    static final String SUB = """
            (module (func (export "sub") (param i32 i32) (result i32) local.get 0 local.get 1 i32.sub))""";

    static List<Path> entries(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.toString().endsWith(".wasmer-module")).toList();
        }
    }

    static int call(Module m, String f, int a, int b) {
        try (Store s = new Store(m.engine());
                Instance in = Instance.create(s, m)) {
            return (Integer) in.func(f).call(a, b)[0];
        }
    }

    @Test
    void aRestartLoadsFromDiskInsteadOfCompiling(@TempDir Path dir) throws Exception {
        try (Engine engine = new Engine()) {
            try (ModuleCache cache = ModuleCache.builder(engine).directory(dir).build()) {
                Module m = cache.get(TestModules.ADD.getBytes());
                assertThat(cache.get(TestModules.ADD.getBytes())).isSameAs(m);
                assertThat(cache.stats()).isEqualTo(new ModuleCache.Stats(1, 1, 0, 1, 0, 0, 0, 0, 1));
                assertThat(cache.state(cache.key(Wasmer.wat2wasm(TestModules.ADD))))
                        .isEqualTo("memory");
            }
            assertThat(entries(dir)).hasSize(1);
            try (ModuleCache restarted =
                    ModuleCache.builder(engine).directory(dir).build()) {
                assertThat(restarted.state(restarted.key(Wasmer.wat2wasm(TestModules.ADD))))
                        .isEqualTo("disk");
                Module m = restarted.get(TestModules.ADD.getBytes());
                assertThat(call(m, "add", 40, 2)).isEqualTo(42);
                assertThat(restarted.stats().compiles()).isZero();
                assertThat(restarted.stats().diskLoads()).isEqualTo(1);
            }
        }
    }

    /**
     * Metered modules (metering, or deadlines) the cache compiles run in the engine's own native engine, as those it
     * loads from disk do: two of them and an instance of each in one {@code new Store(engine)}, cold and warm, each
     * with its own points.
     */
    @Test
    void meteredModulesRunInOneStoreOfTheEngineColdAndWarm(@TempDir Path dir) throws Exception {
        for (Config config : List.of(new Config().metering(Metering.of(1000)), new Config().deadlines(true))) {
            try (Engine engine = new Engine(config)) {
                for (String cacheState : List.of("cold", "warm")) {
                    try (ModuleCache cache =
                                    ModuleCache.builder(engine).directory(dir).build();
                            Store store = new Store(engine)) {
                        Module add = cache.get(TestModules.ADD.getBytes());
                        Module sub = cache.get(SUB.getBytes());
                        assertThat(cache.stats().diskLoads())
                                .as(cacheState)
                                .isEqualTo(cacheState.equals("warm") ? 2 : 0);
                        Instance a = Instance.create(store, add);
                        Instance b = Instance.create(store, sub);
                        assertThat(a.func("add").call(40, 2)).as(cacheState).containsExactly(42);
                        assertThat(b.func("sub").call(44, 2)).containsExactly(42);
                        a.remainingPoints(500);
                        b.func("sub").call(1, 1);
                        assertThat(a.remainingPoints())
                                .as("points are per instance")
                                .isEqualTo(500);
                        assertThat(call(add, "add", 1, 2))
                                .as("and in a store of the module")
                                .isEqualTo(3);
                    }
                }
            }
        }
    }

    @Test
    void tamperedTruncatedAndSwappedEntriesAreRecompiledNeverLoaded(@TempDir Path dir) throws Exception {
        try (Engine engine = new Engine()) {
            try (ModuleCache cache = ModuleCache.builder(engine).directory(dir).build()) {
                cache.get(TestModules.ADD.getBytes());
                cache.get(SUB.getBytes());
            }
            Path add = dir.resolve(new ModuleCache(engine).key(Wasmer.wat2wasm(TestModules.ADD)) + ".wasmer-module");
            Path sub = dir.resolve(new ModuleCache(engine).key(Wasmer.wat2wasm(SUB)) + ".wasmer-module");
            byte[] addBytes = Files.readAllBytes(add);
            byte[] flipped = addBytes.clone();
            flipped[flipped.length / 2] ^= 0x40; // libwasmer itself would load and run this
            Files.write(add, flipped);
            try (ModuleCache cache = ModuleCache.builder(engine).directory(dir).build()) {
                assertThat(call(cache.get(TestModules.ADD.getBytes()), "add", 1, 2))
                        .isEqualTo(3);
                assertThat(cache.stats().rejected()).isEqualTo(1);
                assertThat(cache.stats().compiles()).isEqualTo(1);
            }
            Files.write(add, java.util.Arrays.copyOf(addBytes, 20)); // truncated
            try (ModuleCache cache = ModuleCache.builder(engine).directory(dir).build()) {
                cache.get(TestModules.ADD.getBytes());
                assertThat(cache.stats().rejected()).isEqualTo(1);
            }
            Files.copy(sub, add, java.nio.file.StandardCopyOption.REPLACE_EXISTING); // another module's entry
            try (ModuleCache cache = ModuleCache.builder(engine).directory(dir).build()) {
                assertThat(call(cache.get(TestModules.ADD.getBytes()), "add", 5, 2))
                        .isEqualTo(7);
                assertThat(cache.stats().rejected()).isEqualTo(1);
            }
            try (ModuleCache otherKey = ModuleCache.builder(engine)
                    .directory(dir)
                    .key(ArtifactKey.of(new byte[32]))
                    .build()) {
                otherKey.get(SUB.getBytes()); // written under the directory's key: refused under another
                assertThat(otherKey.stats().rejected()).isEqualTo(1);
            }
        }
    }

    /** A map as the shared store; the Spring starter's tests run the same against a real Redis. */
    record MapStore(java.util.Map<String, byte[]> map, boolean failing) implements ModuleCache.SharedStore {
        @Override
        public byte[] get(String key) {
            if (failing) {
                throw new IllegalStateException("store down");
            }
            return map.get(key);
        }

        @Override
        public void put(String key, byte[] entry) {
            if (failing) {
                throw new IllegalStateException("store down");
            }
            map.put(key, entry);
        }
    }

    @Test
    void aSharedStoreLetsASecondProcessSkipCompilingAndRefusesForgedEntries(@TempDir Path dir) throws Exception {
        ArtifactKey fleetKey = ArtifactKey.of("a fleet-wide secret of 32+ chars!".getBytes());
        var map = new java.util.concurrent.ConcurrentHashMap<String, byte[]>();
        try (Engine engine = new Engine()) {
            try (ModuleCache first = ModuleCache.builder(engine)
                    .shared(new MapStore(map, false), fleetKey)
                    .build()) {
                first.get(TestModules.ADD.getBytes());
                assertThat(first.stats().compiles()).isEqualTo(1);
            }
            assertThat(map).hasSize(1);
            try (ModuleCache second = ModuleCache.builder(engine)
                    .directory(dir)
                    .shared(new MapStore(map, false), fleetKey)
                    .build()) {
                assertThat(call(second.get(TestModules.ADD.getBytes()), "add", 40, 2))
                        .isEqualTo(42);
                assertThat(second.stats().compiles()).isZero();
                assertThat(second.stats().sharedLoads()).isEqualTo(1);
                assertThat(entries(dir)).hasSize(1); // kept on disk too
            }
            String key = map.keySet().iterator().next();
            byte[] forged = map.get(key).clone();
            forged[forged.length / 2] ^= 0x40;
            map.put(key, forged);
            try (ModuleCache third = ModuleCache.builder(engine)
                    .shared(new MapStore(map, false), fleetKey)
                    .build()) {
                assertThat(call(third.get(TestModules.ADD.getBytes()), "add", 1, 2))
                        .isEqualTo(3);
                assertThat(third.stats().sharedRejected()).isEqualTo(1);
                assertThat(third.stats().compiles()).isEqualTo(1);
                assertThat(map.get(key)).isNotEqualTo(forged); // replaced by the recompiled artifact
            }
            try (ModuleCache otherFleet = ModuleCache.builder(engine)
                    .shared(new MapStore(map, false), ArtifactKey.of("another fleet's secret, 32+ chars".getBytes()))
                    .build()) {
                otherFleet.get(TestModules.ADD.getBytes());
                assertThat(otherFleet.stats().sharedRejected()).isEqualTo(1);
            }
            try (ModuleCache down = ModuleCache.builder(engine)
                    .shared(new MapStore(map, true), fleetKey)
                    .build()) {
                assertThat(call(down.get(SUB.getBytes()), "sub", 5, 2)).isEqualTo(3);
                assertThat(down.stats().sharedErrors()).isEqualTo(2); // the read and the write
                assertThat(down.stats().compiles()).isEqualTo(1);
            }
            assertThatThrownBy(() -> ModuleCache.builder(engine)
                            .shared(new MapStore(map, false), null)
                            .build())
                    .isInstanceOf(NullPointerException.class)
                    .hasMessageContaining("needs a key");
        }
    }

    /**
     * An entry sealed under the right key and cache key, but holding another module, or this module compiled by an
     * engine with other facts (here: metering at one point), is refused and recompiled: whoever holds the fleet key
     * cannot swap code in, and an artifact never runs under another engine's policy.
     */
    @Test
    void anAuthenticEntryOfAnotherModuleOrEngineIsRecompiledNotLoaded() {
        ArtifactKey fleetKey = ArtifactKey.of("a fleet-wide secret of 32+ chars!".getBytes());
        var map = new java.util.concurrent.ConcurrentHashMap<String, byte[]>();
        var core = dev.wasmerffm.internal.access.Access.core();
        String fakeAdd =
                "(module (func (export \"add\") (param i32 i32) (result i32) local.get 0 local.get 1 i32.sub))";
        try (Engine engine = new Engine();
                Engine metered = new Engine(new Config().metering(Metering.of(1)));
                Module fake = Module.compile(engine, fakeAdd);
                Module meteredAdd = Module.compile(metered, TestModules.ADD)) {
            String key = new ModuleCache(engine).key(Wasmer.wat2wasm(TestModules.ADD));
            byte[] context = key.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            for (Module planted : List.of(fake, meteredAdd)) {
                map.put(key, core.seal(fleetKey, context, planted.serialize()));
                try (ModuleCache cache = ModuleCache.builder(engine)
                        .shared(new MapStore(map, false), fleetKey)
                        .build()) {
                    assertThat(call(cache.get(TestModules.ADD.getBytes()), "add", 40, 2))
                            .isEqualTo(42);
                    assertThat(cache.stats().sharedRejected()).isEqualTo(1);
                    assertThat(cache.stats().compiles()).isEqualTo(1);
                }
            }
        }
    }

    @Test
    void keysChangeWithEverythingThatChangesTheCode(@TempDir Path dir) {
        try (Engine a = new Engine();
                Engine b = new Engine(new Config().backend(Backend.SINGLEPASS));
                Engine c = new Engine(new Config().metering(Metering.of(10)));
                Engine d = new Engine(new Config().feature(Feature.SIMD, false))) {
            byte[] wasm = Wasmer.wat2wasm(TestModules.ADD);
            assertThat(Stream.of(a, b, c, d)
                            .map(e -> new ModuleCache(e).key(wasm))
                            .distinct())
                    .hasSize(4);
            try (ModuleCache bounded =
                    ModuleCache.builder(a).directory(dir).maxDiskBytes(1).build()) {
                bounded.get(wasm);
                assertThat(bounded.stats().size()).isEqualTo(1);
            }
        }
    }

    static void chmod(Path p, String mode) throws Exception {
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(mode));
    }

    static void chownNobody(Path p) throws Exception {
        Files.setOwner(p, p.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody"));
    }

    static org.assertj.core.api.AbstractThrowableAssert<?, ?> refused(
            Engine engine, Path dir, ArtifactKey key, Path named) {
        ModuleCache.Builder builder = ModuleCache.builder(engine).directory(dir);
        if (key != null) {
            builder.key(key);
        }
        return assertThatThrownBy(builder::build)
                .isInstanceOf(CacheDirectoryException.class)
                .hasMessageContaining(named.toString())
                .satisfies(e -> assertThat(((CacheDirectoryException) e).path()).isEqualTo(named));
    }

    /** The attack: a directory (or key file) someone else made first, or can write, is never used. */
    @Test
    void aPlantedOrSharedDirectoryOrKeyFileIsRefused(@TempDir Path tmp) throws Exception {
        try (Engine engine = new Engine()) {
            Path open = Files.createDirectory(tmp.resolve("group-writable"));
            chmod(open, "rwxrwx---");
            refused(engine, open, null, open)
                    .hasMessageContaining("writable by group or others")
                    .hasMessageContaining("chmod go-w");
            chmod(open, "rwx---rwx");
            refused(engine, open, ArtifactKey.random(), open); // a given key does not make it trusted
            chmod(open, "rwxrwxrwx");
            refused(engine, open, null, open);

            Path file = Files.write(tmp.resolve("a-file"), new byte[1]);
            refused(engine, file, null, file).hasMessageContaining("cannot be created");

            Path own = Files.createDirectory(tmp.resolve("own"));
            chmod(own, "rwx------");
            Path keyFile = own.resolve(".mac-key");
            Files.write(keyFile, new byte[32]);
            chmod(keyFile, "rw-r--r--");
            refused(engine, own, null, keyFile)
                    .hasMessageContaining("accessible to group or others")
                    .hasMessageContaining("chmod 600");
            chmod(keyFile, "rw-------");
            Files.write(keyFile, new byte[31]);
            refused(engine, own, null, keyFile).hasMessageContaining("holds 31 bytes");
            Files.delete(keyFile);
            Path elsewhere = Files.write(tmp.resolve("their-key"), new byte[32]);
            Files.createSymbolicLink(keyFile, elsewhere);
            refused(engine, own, null, keyFile).hasMessageContaining("not a regular file");
            Files.delete(keyFile);

            assumeTrue(OwnFiles.currentUid() == 0, "chown to another user needs root");
            Path foreign = Files.createDirectory(tmp.resolve("foreign"));
            chmod(foreign, "rwx------");
            chownNobody(foreign);
            refused(engine, foreign, null, foreign).hasMessageContaining("owned by nobody");
            Files.write(keyFile, new byte[32]);
            chmod(keyFile, "rw-------");
            chownNobody(keyFile);
            refused(engine, own, null, keyFile).hasMessageContaining("owned by nobody");
            // a key given in configuration never falls back to the file: the planted one is not even looked at
            try (ModuleCache given = ModuleCache.builder(engine)
                    .directory(own)
                    .key(ArtifactKey.random())
                    .build()) {
                assertThat(call(given.get(TestModules.ADD.getBytes()), "add", 40, 2))
                        .isEqualTo(42);
            }
        }
    }

    @Test
    void theDefaultDirectoryIsTheUsersOwnAndANewDirectoryIsMadePrivate(@TempDir Path tmp) throws Exception {
        Path home = Path.of(System.getProperty("user.home"));
        String xdg = System.getenv("XDG_CACHE_HOME");
        String override = System.getenv("WASMER_JAVA_CACHE"); // the build's cache root, when set
        Path root = override != null
                ? Path.of(override)
                : (xdg != null ? Path.of(xdg) : home.resolve(".cache")).resolve("wasmer-java");
        assertThat(ModuleCache.defaultDirectory()).isEqualTo(root.resolve("modules"));
        Path fresh = tmp.resolve("a/b/modules");
        try (Engine engine = new Engine();
                ModuleCache cache = ModuleCache.builder(engine).directory(fresh).build()) {
            cache.get(TestModules.ADD.getBytes());
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(fresh)))
                    .isEqualTo("rwx------");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(fresh.resolve(".mac-key"))))
                    .isEqualTo("rw-------");
            assertThat(entries(fresh)).hasSize(1);
        }
    }
}
