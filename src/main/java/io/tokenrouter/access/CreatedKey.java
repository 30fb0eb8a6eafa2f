package io.tokenrouter.access;

/** A new key: the secret, shown this once, and the stored key. */
public record CreatedKey(String secret, KeyView key) {
}
