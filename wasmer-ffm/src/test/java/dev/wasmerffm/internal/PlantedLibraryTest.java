package dev.wasmerffm.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.wasmerffm.ChildJvm;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Another local user (uid 65534, the attacker) plants a library in each place they could write, against a victim
 * JVM running as a third user; the victim must never load it: it loads its own verified copy from another place, or
 * fails with a typed message. The planted library, if loaded, would announce itself and leave a file in
 * {@code marker/}. Needs root (to act as both users, with setpriv); skipped with a message otherwise.
 */
class PlantedLibraryTest {

    static final int ATTACKER = 65534;
    static final String PLANTED = "PLANTED LIBRARY RAN";

    static int victim;
    static Path stage; // everything here is readable by both users
    static int tests;
    static Path tmp; // the victim's java.io.tmpdir, new for each test: sticky and world-writable, as /tmp
    static Path marker;
    static Path evil;
    static String classpath;
    static Path genuineHome; // a home where the victim extracted its library
    static String versionDir; // <version>-<sha256>

    @BeforeAll
    static void setUp() throws Exception {
        assumeTrue(
                OwnFiles.currentUid() == 0 && Files.isExecutable(Path.of("/usr/bin/setpriv")),
                "acting as an attacker and a victim (two other uids) needs root and setpriv: skipped");
        victim = unusedUid();
        stage = Files.createTempDirectory("planted-");
        sh("chmod 755 " + stage);
        marker = Files.createDirectory(stage.resolve("marker"));
        sh("chmod 777 " + marker);
        newTmp();
        Path c = Files.writeString(stage.resolve("planted.c"), """
                #include <stdio.h>
                #include <unistd.h>
                __attribute__((constructor)) static void planted(void) {
                    char path[512];
                    snprintf(path, sizeof path, "%s/ran-%d", MARKER, (int) getpid());
                    FILE *f = fopen(path, "w");
                    if (f) { fputs("planted library ran\\n", f); fclose(f); }
                    printf("PLANTED LIBRARY RAN\\n");
                    fflush(stdout);
                }
                const char *wasmer_version(void) { return "7.4.2"; }
                """);
        evil = stage.resolve("planted.so");
        sh("gcc -shared -fPIC -DMARKER='\"" + marker + "\"' -o " + evil + " " + c + " && chmod 755 " + evil);
        classpath = stageClasspath();
        versionDir = jar().getProperty("wasmer.version") + "-" + jar().getProperty("sha256");

        // Control: loaded, the planted library announces itself (so its silence below means it did not run).
        Run control = victimJvm(home("control", true), "-Dwasmer.library.path=" + evil);
        assertThat(control.out).contains(PLANTED, "NOT GENUINE");
        assertThat(ran()).isNotEmpty();
        sh("rm -f " + marker + "/*");

        genuineHome = home("genuine", true);
        Run first = victimJvm(genuineHome);
        assertThat(first.out).contains("LOADED " + genuineHome.resolve(".cache/wasmer-java/native"), "GENUINE");
    }

    @BeforeEach
    void freshTmp() throws Exception {
        newTmp();
    }

    static void newTmp() throws Exception {
        tmp = Files.createDirectory(stage.resolve("tmp-" + tests++));
        sh("chmod 1777 " + tmp);
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (stage != null) {
            sh("rm -rf " + stage);
        }
    }

    @AfterEach
    void nothingPlantedRan() throws Exception {
        assertThat(ran()).as("files the planted library leaves when it runs").isEmpty();
        try (Stream<Path> left = Files.list(tmp)) {
            assertThat(left.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("wasmer-java-victim-")))
                    .as("fresh directories are deleted when the JVM exits")
                    .isEmpty();
        }
    }

    /**
     * The first attack: the version directory 0711, lib/ 0777, the library replaced by the attacker. Against
     * the loader before issue 29 (main 77c5044) the planted library ran.
     */
    @Test
    void aLibraryPlantedInAWorldWritableLibDirectoryIsNotLoaded() throws Exception {
        Path home = copyOfGenuineHome("libdir");
        Path version = home.resolve(".cache/wasmer-java/native").resolve(versionDir);
        sh("chmod 711 " + home.resolve(".cache") + " " + home.resolve(".cache/wasmer-java") + " "
                + home.resolve(".cache/wasmer-java/native") + " " + version + " && chmod 777 "
                + version.resolve("lib"));
        // with a stamp forged for it, as the issue did: size, modification time and inode of the planted file
        asAttacker("cd " + version + "/lib && cp " + evil + " .new && mv -f .new libwasmer.so && set -- $(stat -c"
                + " '%s %.9Y %d %i' libwasmer.so) && printf '%s %s %s (dev=%x,ino=%s)' "
                + jar().getProperty("sha256") + " $1 $(echo $2 | tr -d .) $3 $4 > .v && mv -f .v .verified");
        Run run = victimJvm(home);
        assertThat(run.out)
                .contains(version.resolve("lib") + " is writable by group or others (mode 0777)")
                .contains("LOADED " + tmp.resolve("wasmer-java-victim/native"), "GENUINE")
                .doesNotContain(PLANTED);
    }

    @Test
    void aLibraryPlantedThroughAWorldWritableVersionDirectoryIsNotLoaded() throws Exception {
        Path home = copyOfGenuineHome("versiondir");
        Path version = home.resolve(".cache/wasmer-java/native").resolve(versionDir);
        sh("chmod 711 " + home.resolve(".cache") + " " + home.resolve(".cache/wasmer-java") + " "
                + home.resolve(".cache/wasmer-java/native") + " && chmod 777 " + version);
        asAttacker("cd " + version + " && mv lib lib.old && mkdir -m 755 lib && cp " + evil + " lib/libwasmer.so");
        Run run = victimJvm(home);
        assertThat(run.out)
                .contains(version + " is writable by group or others (mode 0777)")
                .contains("LOADED " + tmp.resolve("wasmer-java-victim/native"), "GENUINE")
                .doesNotContain(PLANTED);
    }

    /** The fourth point: a read-only home and a temporary directory squatted by the attacker. */
    @Test
    void aReadOnlyHomeAndASquattedTemporaryDirectoryStillStart() throws Exception {
        Path squatted = tmp.resolve("wasmer-java-victim");
        asAttacker("mkdir -p " + squatted + "/native/" + versionDir + "/lib && cp " + evil + " " + squatted + "/native/"
                + versionDir + "/lib/libwasmer.so && chmod -R 755 " + squatted);
        try {
            Run run = victimJvm(home("readonly", false));
            assertThat(run.out)
                    .contains(squatted + " is owned by uid " + ATTACKER + ", not by this user (uid " + victim + ")")
                    .contains("LOADED " + tmp.resolve("wasmer-java-victim-"), "GENUINE")
                    .doesNotContain(PLANTED);
        } finally {
            sh("rm -rf " + squatted);
        }
    }

    /**
     * The second attack: the per-user temporary directory is a link the attacker flips between the
     * victim's own genuine copy and a planted one. A loop extracting to it as fast as it can, and JVMs starting,
     * while the link flips: never a library but the genuine one.
     */
    @Test
    void aLinkFlippedBetweenTheVictimsCopyAndAPlantedOneIsNeverFollowed() throws Exception {
        Path own = stage.resolve("victim-own");
        sh("cp -a " + genuineHome.resolve(".cache/wasmer-java") + " " + own);
        Path planted = attackersDirectory("attacker-planted");
        asAttacker("mkdir -p " + planted + "/native/" + versionDir + "/lib && cp " + evil + " " + planted + "/native/"
                + versionDir + "/lib/libwasmer.so && chmod -R 755 " + planted);
        Path link = tmp.resolve("wasmer-java-victim");
        Process flipper = new ProcessBuilder(attacker("while :; do ln -sfn " + own + " " + link + ".a && mv -Tf " + link
                        + ".a " + link + "; ln -sfn " + planted + " " + link + ".b && mv -Tf " + link + ".b " + link
                        + "; done"))
                .redirectErrorStream(true)
                .start();
        try {
            Run loop = victimJvm(genuineHome, "loop", link.toString(), "3");
            assertThat(loop.out).containsPattern("LOOP verified=0 refused=[1-9][0-9]* wrong=0");
            Path readOnly = home("flip", false);
            for (int i = 0; i < 3; i++) {
                Run run = victimJvm(readOnly);
                assertThat(run.out)
                        .contains(link + " is a symbolic link (not followed)")
                        .contains("LOADED " + tmp.resolve("wasmer-java-victim-"), "GENUINE")
                        .doesNotContain(PLANTED);
            }
        } finally {
            flipper.destroyForcibly().waitFor();
            sh("rm -rf " + link + " " + link + ".a " + link + ".b");
        }
    }

    /**
     * The third point: a link to the attacker's genuine copy, which they later edit in place keeping its
     * size and modification time. Neither the link (as the temporary directory, or as the library file in the
     * victim's own directory) nor the edited copy is used.
     */
    @Test
    void inPlaceEditsOfALinkedCopyAreNeverLoaded() throws Exception {
        Path theirs = stage.resolve("attacker-genuine");
        sh("cp -a " + genuineHome.resolve(".cache/wasmer-java") + " " + theirs + " && chown -R " + ATTACKER + ":"
                + ATTACKER + " " + theirs + " && chmod -R go+rX,u+w " + theirs);
        Path theirLib = theirs.resolve("native").resolve(versionDir).resolve("lib/libwasmer.so");
        Path link = tmp.resolve("wasmer-java-victim");
        asAttacker("ln -s " + theirs + " " + link);
        Path home = copyOfGenuineHome("linkedfile");
        Path ownLib =
                home.resolve(".cache/wasmer-java/native").resolve(versionDir).resolve("lib/libwasmer.so");
        sh("ln -sf " + theirLib + " " + ownLib + " && chown -h " + victim + ":" + victim + " " + ownLib);
        try {
            Run before = victimJvm(home);
            assertThat(before.out)
                    .contains(ownLib + " is a symbolic link (not followed)")
                    .contains(link + " is a symbolic link (not followed)")
                    .contains("LOADED " + tmp.resolve("wasmer-java-victim-"), "GENUINE");
            asAttacker("f=" + theirLib + "; m=$(stat -c %Y $f); s=$(stat -c %s $f); cat " + evil
                    + " > $f; truncate -s $s $f; touch -d @$m $f");
            Run after = victimJvm(home);
            assertThat(after.out)
                    .contains("LOADED " + tmp.resolve("wasmer-java-victim-"), "GENUINE")
                    .doesNotContain(PLANTED);
        } finally {
            sh("rm -rf " + link);
        }
    }

    record Run(String out) {}

    static Run victimJvm(Path home, String... args) throws Exception {
        String java = ProcessHandle.current().info().command().orElseThrow();
        List<String> command = new ArrayList<>(List.of(
                "setpriv",
                "--reuid=" + victim,
                "--regid=" + victim,
                "--clear-groups",
                "--",
                java,
                "-XX:-UsePerfData",
                "--enable-native-access=ALL-UNNAMED",
                "-Duser.home=" + home,
                "-Duser.name=victim",
                "-Djava.io.tmpdir=" + tmp));
        List<String> probeArgs = new ArrayList<>(List.of(args));
        while (!probeArgs.isEmpty() && probeArgs.getFirst().startsWith("-D")) {
            command.add(probeArgs.removeFirst());
        }
        command.addAll(List.of("-cp", classpath, VictimProbe.class.getName()));
        command.addAll(probeArgs);
        ProcessBuilder pb = new ProcessBuilder(command).directory(stage.toFile());
        pb.environment().keySet().removeAll(Set.of("WASMER_DIR", "WASMER_JAVA_CACHE", "XDG_CACHE_HOME"));
        pb.environment().put("HOME", home.toString());
        return new Run(ChildJvm.exec(pb, Duration.ofSeconds(120)).ok());
    }

    static List<String> attacker(String script) {
        return List.of(
                "setpriv", "--reuid=" + ATTACKER, "--regid=" + ATTACKER, "--clear-groups", "--", "sh", "-c", script);
    }

    static void asAttacker(String script) throws Exception {
        run(attacker(script));
    }

    static void sh(String script) throws Exception {
        run(List.of("sh", "-c", script));
    }

    static void run(List<String> command) throws Exception {
        ChildJvm.exec(new ProcessBuilder(command), Duration.ofSeconds(120)).ok();
    }

    /** A home of the victim's own, or (not writable) one of root's the victim can only read. */
    static Path home(String name, boolean writable) throws Exception {
        Path home = Files.createDirectory(stage.resolve("home-" + name));
        sh("chmod 755 " + home + (writable ? " && chown " + victim + ":" + victim + " " + home : ""));
        return home;
    }

    /** A directory of the attacker's own, where they may prepare what they plant. */
    static Path attackersDirectory(String name) throws Exception {
        Path dir = stage.resolve(name);
        sh("install -d -m 755 -o " + ATTACKER + " -g " + ATTACKER + " " + dir);
        return dir;
    }

    static Path copyOfGenuineHome(String name) throws Exception {
        Path home = stage.resolve("home-" + name);
        sh("cp -a " + genuineHome + " " + home);
        return home;
    }

    static List<Path> ran() throws IOException {
        try (Stream<Path> s = Files.list(marker)) {
            return s.toList();
        }
    }

    static Properties jar() throws IOException {
        Properties p = new Properties();
        try (InputStream in = PlantedLibraryTest.class.getClassLoader().getResourceAsStream(propertiesOfJar())) {
            p.load(in);
        }
        return p;
    }

    static String propertiesOfJar() {
        return "META-INF/wasmer-native/" + NativeJar.classifierOnClasspath(NativeJar.platform())
                + "/wasmer-native.properties";
    }

    /** The binding's classes, the probe and the platform jar, copied where the victim can read them. */
    static String stageClasspath() throws Exception {
        Path cp = Files.createDirectories(stage.resolve("cp"));
        Path classes = Path.of(
                Loader.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        copyTree(classes, cp.resolve("classes"));
        Path probe = Path.of(VictimProbe.class
                .getResource(VictimProbe.class.getSimpleName() + ".class")
                .toURI());
        Path probeDir = Files.createDirectories(cp.resolve("probe/dev/wasmerffm/internal"));
        Files.copy(probe, probeDir.resolve(probe.getFileName()));
        URL properties = PlantedLibraryTest.class.getClassLoader().getResource(propertiesOfJar());
        String url = properties.toString();
        Path nativeJar;
        if (url.startsWith("jar:")) {
            nativeJar = cp.resolve("native.jar");
            Files.copy(Path.of(new URL(url.substring(4, url.indexOf("!/"))).toURI()), nativeJar);
        } else {
            nativeJar = cp.resolve("native");
            Path dir = Path.of(properties.toURI());
            for (int i = 0; i < 4; i++) { // META-INF/wasmer-native/<classifier>/wasmer-native.properties
                dir = dir.getParent();
            }
            copyTree(dir, nativeJar);
        }
        sh("chmod -R a+rX " + cp);
        return Stream.of(cp.resolve("classes"), cp.resolve("probe"), nativeJar)
                .map(Path::toString)
                .collect(Collectors.joining(":"));
    }

    static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : s.sorted(Comparator.naturalOrder()).toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
    }

    /** A uid no account has, so that the victim is no one else. */
    static int unusedUid() throws IOException {
        Set<String> used = Files.readAllLines(Path.of("/etc/passwd")).stream()
                .map(l -> l.split(":")[2])
                .collect(Collectors.toSet());
        int uid = 4242;
        while (used.contains(Integer.toString(uid))) {
            uid++;
        }
        return uid;
    }
}
