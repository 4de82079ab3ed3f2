package dev.wasmerffm.internal;

import dev.wasmerffm.WasmerLibrary;
import dev.wasmerffm.WasmerLibraryException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * The victim JVM of {@link PlantedLibraryTest}, run as another user: loads libwasmer and says which one, or why
 * not. With {@code loop ROOT SECONDS} it extracts to {@code ROOT} over and over instead (no load) and counts what
 * each attempt gave: a library hashing to the jar's SHA-256, a refusal, or anything else.
 */
public final class VictimProbe {

    private VictimProbe() {}

    public static void main(String[] args) throws Exception {
        if (args.length == 3 && args[0].equals("loop")) {
            loop(Path.of(args[1]), Long.parseLong(args[2]));
            return;
        }
        try {
            Path lib = WasmerLibrary.load();
            // a planted library could answer wasmer_version; it would not have the rest of the C API
            boolean genuine = Loader.lookup().find("wasm_engine_new").isPresent();
            System.out.println("LOADED " + lib + (genuine ? " GENUINE" : " NOT GENUINE"));
            System.exit(0);
        } catch (WasmerLibraryException e) {
            System.out.println("REFUSED " + e.getMessage());
            System.exit(3);
        }
    }

    private static void loop(Path root, long seconds) throws IOException {
        String classifier = NativeJar.classifierOnClasspath(NativeJar.platform());
        Properties jar = new Properties();
        try (InputStream in = VictimProbe.class
                .getClassLoader()
                .getResourceAsStream("META-INF/wasmer-native/" + classifier + "/wasmer-native.properties")) {
            jar.load(in);
        }
        int verified = 0;
        int refused = 0;
        int wrong = 0;
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        while (System.nanoTime() < end) {
            try (LibraryFile f =
                    NativeJar.extract(classifier, List.of(new NativeJar.Location(root, false)), new ArrayList<>())) {
                if (f.sha256().equals(jar.getProperty("sha256"))) {
                    verified++;
                } else {
                    wrong++;
                }
            } catch (IOException e) {
                refused++;
            }
        }
        System.out.println("LOOP verified=" + verified + " refused=" + refused + " wrong=" + wrong);
    }
}
