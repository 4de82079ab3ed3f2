package dev.wasmerffm.spring.boot.autoconfigure;

import dev.wasmerffm.BackendUnavailableException;
import dev.wasmerffm.WasmerException;
import dev.wasmerffm.WasmerLibraryException;
import dev.wasmerffm.cache.CacheDirectoryException;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** Explains a missing libwasmer, an unavailable backend or an untrusted cache directory, and says what to do. */
class WasmerFailureAnalyzer extends AbstractFailureAnalyzer<WasmerException> {

    @Override
    protected @Nullable FailureAnalysis analyze(Throwable rootFailure, WasmerException cause) {
        if (cause instanceof WasmerLibraryException e) {
            return new FailureAnalysis(
                    "libwasmer could not be loaded: " + e.getMessage(),
                    "Add the wasmer-native jar of this platform, or set wasmer.library-path (or the WASMER_DIR"
                            + " environment variable) to a libwasmer, as the message above says.",
                    e);
        }
        if (cause instanceof CacheDirectoryException e) {
            return new FailureAnalysis(
                    "The Wasmer module cache cannot be trusted: " + e.getMessage(),
                    "To fix it: " + e.fix() + " (property wasmer.cache.directory; or turn the disk cache off with"
                            + " wasmer.cache.enabled=false).",
                    e);
        }
        if (cause instanceof BackendUnavailableException e) {
            return new FailureAnalysis(
                    "The configured Wasmer backend (wasmer.backend=" + e.backend() + ") cannot be used: "
                            + e.getMessage(),
                    "Set wasmer.backend to one of " + e.available()
                            + switch (e.backend()) {
                                case HEADLESS -> "";
                                // the jar to add, and its licence (not MIT)
                                case SINGLEPASS -> ", or " + e.remedy();
                                default -> ", or point wasmer.library-path at a libwasmer built with " + e.backend();
                            }
                            + ".",
                    e);
        }
        return null;
    }
}
