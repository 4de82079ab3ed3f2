package dev.wasmerffm.cache;

import dev.wasmerffm.ArtifactKey;
import dev.wasmerffm.internal.OwnFiles;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.stream.Stream;

/** A {@link ModuleCache}'s directory: one sealed file per module, the oldest evicted past a size bound. */
final class DiskArtifacts extends ArtifactLevel {

    private static final String SUFFIX = ".wasmer-module";
    private static final String KEY_FILE = ".mac-key";

    private final Path directory;
    private final long maxBytes;

    /** {@code key} null: the directory's own key file, made on first use readable by this user only. */
    DiskArtifacts(Path directory, long maxBytes, ArtifactKey key) {
        super(key != null ? key : ArtifactKey.of(secret(checked(directory).resolve(KEY_FILE))));
        this.directory = checked(directory);
        this.maxBytes = maxBytes;
    }

    /** The directory, after refusing one another user could write (they could plant native code). */
    private static Path checked(Path directory) {
        try {
            OwnFiles.directory(directory);
        } catch (OwnFiles.Refused r) {
            throw refused(r);
        }
        return directory;
    }

    private static byte[] secret(Path keyFile) {
        try {
            return OwnFiles.secret(keyFile, ArtifactKey.MIN_LENGTH);
        } catch (OwnFiles.Refused r) {
            throw refused(r);
        }
    }

    private static CacheDirectoryException refused(OwnFiles.Refused r) {
        return new CacheDirectoryException(r.path(), r.problem(), r.fix());
    }

    boolean contains(String cacheKey) {
        return Files.exists(file(cacheKey));
    }

    @Override
    byte[] read(String cacheKey) {
        try {
            return Files.readAllBytes(file(cacheKey));
        } catch (IOException e) {
            return null; // absent or unreadable: compile
        }
    }

    @Override
    void discard(String cacheKey) {
        delete(file(cacheKey));
    }

    /** Written whole then moved into place, so a reader never sees half a file. */
    @Override
    void write(String cacheKey, byte[] sealed) {
        try {
            Path tmp = Files.createTempFile(directory, cacheKey, ".tmp");
            Files.write(tmp, sealed);
            try {
                Files.move(tmp, file(cacheKey), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file(cacheKey), StandardCopyOption.REPLACE_EXISTING);
            }
            evict();
        } catch (IOException e) {
            // a cache that cannot write still works, from memory
        }
    }

    private Path file(String cacheKey) {
        return directory.resolve(cacheKey + SUFFIX);
    }

    private void evict() throws IOException {
        if (maxBytes <= 0) {
            return;
        }
        try (Stream<Path> files = Files.list(directory)) {
            var list = files.filter(p -> p.toString().endsWith(SUFFIX))
                    .sorted(Comparator.comparingLong(DiskArtifacts::modified).reversed())
                    .toList();
            long total = 0;
            for (Path p : list) {
                total += Files.size(p);
                if (total > maxBytes) {
                    delete(p);
                }
            }
        }
    }

    private static long modified(Path p) {
        try {
            return Files.getLastModifiedTime(p).toMillis();
        } catch (IOException e) {
            return 0;
        }
    }

    private static void delete(Path f) {
        try {
            Files.deleteIfExists(f);
        } catch (IOException ignored) {
            // the next load verifies it again
        }
    }

    @Override
    public String toString() {
        return "directory " + directory;
    }
}
