package dev.wasmerffm.spring.boot.autoconfigure;

import dev.wasmerffm.BackendUnavailableException;
import dev.wasmerffm.WasmerException;
import dev.wasmerffm.WasmerLibraryException;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** Explains a missing libwasmer or an unavailable backend, and says what to set or run. */
class WasmerFailureAnalyzer extends AbstractFailureAnalyzer<WasmerException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, WasmerException cause) {
        if (cause instanceof WasmerLibraryException e) {
            return new FailureAnalysis("libwasmer could not be loaded: " + e.getMessage(),
                    "Add the wasmer-native jar of this platform, or set wasmer.library-path (or the WASMER_DIR"
                            + " environment variable) to a libwasmer, as the message above says.", e);
        }
        if (cause instanceof BackendUnavailableException e) {
            return new FailureAnalysis("The configured Wasmer backend '" + e.backend() + "' is not available in "
                    + "the loaded libwasmer.", "Set wasmer.backend to one of " + e.available()
                    + ", or point wasmer.library-path at a libwasmer built with " + e.backend() + ".", e);
        }
        return null;
    }
}
