package dev.wasmerffm.spring.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.jspecify.annotations.NullMarked;
import org.junit.jupiter.api.Test;

/** The starter's nullness is declared: every package is null-marked, so only what is {@code @Nullable} may be null. */
class NullMarkedTests {

    @Test
    void everyMainPackageIsNullMarked() throws Exception {
        Path classes = Path.of(WasmerAutoConfiguration.class
                .getProtectionDomain()
                .getCodeSource()
                .getLocation()
                .toURI());
        Set<String> packages;
        try (Stream<Path> files = Files.walk(classes)) {
            packages = files.filter(f -> f.toString().endsWith(".class"))
                    .map(f -> classes.relativize(f.getParent()).toString().replace(File.separatorChar, '.'))
                    .collect(Collectors.toSet());
        }
        assertThat(packages)
                .contains("dev.wasmerffm.spring.boot.annotation", "dev.wasmerffm.spring.boot.modules")
                .allSatisfy(p -> assertThat(Class.forName(p + ".package-info").isAnnotationPresent(NullMarked.class))
                        .as(p)
                        .isTrue());
    }
}
