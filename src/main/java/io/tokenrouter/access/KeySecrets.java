package io.tokenrouter.access;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/**
 * Key secrets: {@code tr-} followed by 256 random bits, stored only as their SHA-256 (a fast hash is
 * right here: the secret has full entropy, so there is nothing to brute-force) and shown by a prefix.
 */
public final class KeySecrets {

    public static final String PREFIX = "tr-";
    private static final SecureRandom RANDOM = new SecureRandom();

    private KeySecrets() {
    }

    public static String generate() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    public static String hash(String secret) {
        return HexFormat.of().formatHex(digest(secret));
    }

    /** Compares a presented secret with a stored hash in time independent of where they differ. */
    public static boolean matches(String secret, String storedHash) {
        return MessageDigest.isEqual(digest(secret), HexFormat.of().parseHex(storedHash));
    }

    public static String displayPrefix(String secret) {
        return secret.substring(0, Math.min(secret.length(), 10));
    }

    private static byte[] digest(String secret) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
