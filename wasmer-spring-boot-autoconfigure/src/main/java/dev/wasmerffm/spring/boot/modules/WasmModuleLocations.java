package dev.wasmerffm.spring.boot.modules;

import dev.wasmerffm.pool.WasmModules;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.springframework.core.io.Resource;
import org.springframework.core.io.support.ResourcePatternResolver;

/**
 * The module files at {@code wasmer.modules.locations}, Spring resource patterns such as
 * {@code classpath*:wasm/*.wasm}: each readable file is given to a {@link WasmModules.Builder}, which registers it
 * under its file name without extension.
 */
public final class WasmModuleLocations {

    private WasmModuleLocations() {}

    /**
     * Adds every readable file at {@code locations} to {@code modules}, named by its URL in messages, and the
     * locations to search ({@link WasmModules.Builder#locations}).
     *
     * @return the locations that matched no readable file
     */
    public static List<String> addAll(
            WasmModules.Builder modules, ResourcePatternResolver resolver, List<String> locations) {
        modules.locations(locations);
        List<String> empty = new ArrayList<>();
        for (String location : locations) {
            Resource[] resources = resources(resolver, location);
            if (Arrays.stream(resources).noneMatch(Resource::isReadable)) {
                empty.add(location);
            }
            for (Resource r : resources) {
                String file = r.getFilename();
                if (file != null && r.isReadable()) {
                    modules.module(file, location(r), read(r));
                }
            }
        }
        return empty;
    }

    /** A resource as a user reads it: its URL, without Spring's "class path resource [...]" or "URL [...]". */
    private static String location(Resource r) {
        try {
            return r.getURL().toString();
        } catch (IOException e) {
            return r.getDescription();
        }
    }

    private static Resource[] resources(ResourcePatternResolver resolver, String location) {
        try {
            return resolver.getResources(location);
        } catch (FileNotFoundException e) { // a pattern whose directory does not exist: no module there
            return new Resource[0];
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list WebAssembly modules at " + location, e);
        }
    }

    private static byte[] read(Resource r) {
        try (InputStream in = r.getInputStream()) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + r.getDescription(), e);
        }
    }
}
