package dev.wasmerffm;

/**
 * A serialized module did not verify under its {@link ArtifactKey}: it was changed, truncated, or sealed with another
 * key (or for another cache entry). Its bytes were not given to libwasmer.
 */
public final class ArtifactAuthenticationException extends CompileException {

    /** Creates the exception. */
    public ArtifactAuthenticationException(String message) {
        super(message);
    }
}
