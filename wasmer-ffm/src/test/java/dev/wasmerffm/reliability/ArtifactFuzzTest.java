package dev.wasmerffm.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wasmerffm.ArtifactAuthenticationException;
import dev.wasmerffm.ArtifactKey;
import dev.wasmerffm.ChildJvm;
import dev.wasmerffm.Engine;
import dev.wasmerffm.Instance;
import dev.wasmerffm.Module;
import dev.wasmerffm.Scale;
import dev.wasmerffm.Store;
import dev.wasmerffm.WasmerLibrary;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Sealed artifacts with one byte flipped, cut short, or with another artifact's header (MAC and binding header)
 * spliced on: every one must be refused as an {@link ArtifactAuthenticationException}, which is thrown before the
 * bytes reach libwasmer. One-byte changes to unsealed artifacts crashed the JVM in 29 of 300 tries, so this runs in
 * a child JVM: a crash fails the test instead of ending the build.
 */
class ArtifactFuzzTest {

    @Test
    void everyTamperedArtifactIsRefusedBeforeLibwasmerSeesIt() throws Exception {
        int count = Scale.of(1_500, 100_000);
        List<String> command = new ArrayList<>(List.of(
                ProcessHandle.current().info().command().orElseThrow(),
                "--enable-native-access=ALL-UNNAMED",
                "-Xmx256m",
                "-cp",
                System.getProperty("java.class.path")));
        String library = System.getProperty(WasmerLibrary.PATH_PROPERTY);
        if (library != null) {
            command.add("-D" + WasmerLibrary.PATH_PROPERTY + "=" + library);
        }
        command.addAll(List.of(
                Child.class.getName(),
                String.valueOf(count),
                String.valueOf(Long.getLong("wasmer.fuzz.seed", 20261201L))));
        String out = ChildJvm.exec(new ProcessBuilder(command), Duration.ofMinutes(10))
                .ok(); // a crash is not 0
        System.out.print(out);
        Matcher m = Pattern.compile("flips=(\\d+) truncations=(\\d+) swaps=(\\d+) refused=(\\d+) loaded=(\\d+) "
                        + "other=(\\d+) control=42")
                .matcher(out);
        assertThat(m.find()).as(out).isTrue();
        long flips = Long.parseLong(m.group(1));
        long cuts = Long.parseLong(m.group(2));
        long swaps = Long.parseLong(m.group(3));
        assertThat(flips + cuts + swaps).isEqualTo(count);
        assertThat(flips).isPositive();
        assertThat(cuts).isPositive();
        assertThat(swaps).isPositive();
        assertThat(Long.parseLong(m.group(4))).as("refused").isEqualTo(count);
        assertThat(Long.parseLong(m.group(5))).as("loaded").isZero();
        assertThat(Long.parseLong(m.group(6))).as("other outcomes").isZero();
    }

    /** The child JVM: seals two modules, then tampers with them {@code args[0]} times. */
    static final class Child {

        static final String ANSWER = "(module (func (export \"f\") (result i32) i32.const 42))";
        static final String OTHER = "(module (func (export \"f\") (result i32) i32.const 666))";

        public static void main(String[] args) {
            int count = Integer.parseInt(args[0]);
            Random random = new Random(Long.parseLong(args[1]));
            ArtifactKey key = ArtifactKey.random();
            long[] kinds = new long[3];
            long refused = 0;
            long loaded = 0;
            long other = 0;
            try (Engine engine = new Engine()) {
                byte[] sealed;
                byte[] forged;
                String identity;
                try (Module a = Module.compile(engine, ANSWER);
                        Module b = Module.compile(engine, OTHER)) {
                    sealed = a.serialize(key);
                    forged = b.serialize(key);
                    identity = a.identity();
                }
                int control = run(Module.deserialize(engine, sealed, key, identity));
                for (int i = 0; i < count; i++) {
                    int kind = random.nextInt(3);
                    kinds[kind]++;
                    byte[] bad =
                            switch (kind) {
                                case 0 -> flip(sealed, random);
                                case 1 -> Arrays.copyOf(sealed, random.nextInt(sealed.length));
                                default -> splice(forged, sealed, random);
                            };
                    try {
                        run(Module.deserialize(engine, bad, key, identity));
                        loaded++;
                        System.out.println("case " + i + " (kind " + kind + ") loaded");
                    } catch (ArtifactAuthenticationException expected) {
                        refused++;
                    } catch (RuntimeException e) {
                        other++;
                        System.out.println("case " + i + ": " + e);
                    }
                }
                System.out.printf(
                        "ArtifactFuzzTest: flips=%d truncations=%d swaps=%d refused=%d loaded=%d other=%d "
                                + "control=%d%n",
                        kinds[0], kinds[1], kinds[2], refused, loaded, other, control);
            }
        }

        static byte[] flip(byte[] b, Random r) {
            byte[] c = b.clone();
            c[r.nextInt(c.length)] ^= (byte) (1 + r.nextInt(255));
            return c;
        }

        /**
         * The first {@code n} bytes of {@code from} (MAC, binding header, maybe part of the code) over {@code onto},
         * {@code n} stopping short of {@code from}'s last differing byte: all of it would be a genuine artifact.
         */
        static byte[] splice(byte[] from, byte[] onto, Random r) {
            int last = Math.min(from.length, onto.length) - 1;
            while (from[last] == onto[last]) {
                last--;
            }
            byte[] c = onto.clone();
            int n = 1 + r.nextInt(last);
            System.arraycopy(from, 0, c, 0, n);
            if (Arrays.equals(c, onto)) { // the prefix happened to be the same: change the byte after it
                c[n] ^= 1;
            }
            return c;
        }

        static int run(Module module) {
            try (module;
                    Store s = new Store(module.engine());
                    Instance in = Instance.create(s, module)) {
                return (Integer) in.func("f").call()[0];
            }
        }
    }
}
