package dev.wasmerffm;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A secret that authenticates serialized modules: {@link Module#serialize(ArtifactKey)} prefixes an HMAC-SHA256 over
 * the whole artifact (the binding's header with interface, architecture and engine facts, and libwasmer's machine
 * code), and {@link Module#deserialize(Engine, byte[], ArtifactKey)} checks it, in constant time, before any byte
 * reaches libwasmer. Whoever has the key can make artifacts that run as native code in this process: keep it as
 * secret as the code itself.
 */
public final class ArtifactKey {

    /** The fewest secret bytes accepted (the HMAC-SHA256 output size). */
    public static final int MIN_LENGTH = 32;

    static final int MAC_LENGTH = 32;
    /** Keeps these MACs apart from anything else the same secret might authenticate. */
    private static final byte[] DOMAIN = "wasmer-java sealed module artifact\0".getBytes(StandardCharsets.US_ASCII);

    private final SecretKeySpec secret;

    private ArtifactKey(byte[] secret) {
        this.secret = new SecretKeySpec(secret, "HmacSHA256");
    }

    /**
     * A key of these secret bytes (copied).
     *
     * @throws IllegalArgumentException if there are fewer than {@link #MIN_LENGTH}
     */
    public static ArtifactKey of(byte[] secret) {
        if (secret.length < MIN_LENGTH) {
            throw new IllegalArgumentException(
                    "an artifact key needs at least " + MIN_LENGTH + " bytes, got " + secret.length);
        }
        return new ArtifactKey(secret.clone());
    }

    /** A new random key (from {@link SecureRandom}), e.g. for artifacts that live only as long as this process. */
    public static ArtifactKey random() {
        byte[] secret = new byte[MIN_LENGTH];
        new SecureRandom().nextBytes(secret);
        return new ArtifactKey(secret);
    }

    /** {@code payload} prefixed with its MAC, which also covers {@code context} (not stored: the reader knows it). */
    byte[] seal(byte[] context, byte[] payload) {
        return ByteBuffer.allocate(MAC_LENGTH + payload.length)
                .put(mac(context, payload, 0))
                .put(payload)
                .array();
    }

    /**
     * The payload of what {@link #seal} made under this key and {@code context}.
     *
     * @throws ArtifactAuthenticationException if the MAC does not verify: the bytes were changed, cut, made with
     *         another key or for another context
     */
    byte[] open(byte[] sealed, byte[] context) {
        return Arrays.copyOfRange(sealed, verify(sealed, context), sealed.length);
    }

    /** Checks {@code sealed} like {@link #open} and returns where its payload starts, copying nothing. */
    int verify(byte[] sealed, byte[] context) {
        if (sealed.length < MAC_LENGTH
                || !MessageDigest.isEqual(Arrays.copyOf(sealed, MAC_LENGTH), mac(context, sealed, MAC_LENGTH))) {
            throw new ArtifactAuthenticationException(
                    "serialized module (" + sealed.length + " bytes) failed "
                            + "authentication: changed, truncated, or sealed with another key or for another entry; not loaded");
        }
        return MAC_LENGTH;
    }

    /** The MAC over the domain, the context and {@code bytes} from {@code from} on. */
    private byte[] mac(byte[] context, byte[] bytes, int from) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(secret);
            mac.update(DOMAIN);
            mac.update(ByteBuffer.allocate(4).putInt(context.length).array());
            mac.update(context);
            mac.update(bytes, from, bytes.length - from);
            return mac.doFinal();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }

    /** Never shows the secret. */
    @Override
    public String toString() {
        return "ArtifactKey[HmacSHA256]";
    }
}
