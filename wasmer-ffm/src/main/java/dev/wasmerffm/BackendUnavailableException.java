package dev.wasmerffm;

import java.util.List;

/** A configured backend is not built into the loaded libwasmer. */
public final class BackendUnavailableException extends WasmerException {

    private final Backend backend;
    private final List<Backend> available;
    private final String remedy;

    BackendUnavailableException(Backend backend, List<Backend> available) {
        this(
                backend,
                available,
                "it is not built into the loaded libwasmer (" + WasmerLibrary.load() + ")",
                backend.remedy());
    }

    BackendUnavailableException(Backend backend, List<Backend> available, String why) {
        this(backend, available, why, null);
    }

    private BackendUnavailableException(Backend backend, List<Backend> available, String why, String remedy) {
        super("Wasmer backend '" + backend + "' cannot make an engine: " + why + "; available: " + available
                + (remedy == null ? "" : "; to use it, " + remedy));
        this.backend = backend;
        this.available = List.copyOf(available);
        this.remedy = remedy;
    }

    /** The backend asked for. */
    public Backend backend() {
        return backend;
    }

    /** What would make the backend available (for singlepass: the jar to add), or null when nothing would. */
    public String remedy() {
        return remedy;
    }

    /** The backends this libwasmer offers. */
    public List<Backend> available() {
        return available;
    }
}
