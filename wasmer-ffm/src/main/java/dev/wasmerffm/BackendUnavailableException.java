package dev.wasmerffm;

import java.util.List;

/** A configured backend is not built into the loaded libwasmer. */
public final class BackendUnavailableException extends WasmerException {

    private final Backend backend;
    private final List<Backend> available;

    BackendUnavailableException(Backend backend, List<Backend> available) {
        this(backend, available, "it is not built into the loaded libwasmer (" + WasmerLibrary.load() + ")");
    }

    BackendUnavailableException(Backend backend, List<Backend> available, String why) {
        super("Wasmer backend '" + backend + "' cannot make an engine: " + why + "; available: " + available);
        this.backend = backend;
        this.available = List.copyOf(available);
    }

    /** The backend asked for. */
    public Backend backend() {
        return backend;
    }

    /** The backends this libwasmer offers. */
    public List<Backend> available() {
        return available;
    }
}
