package io.tokenrouter.upstream;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Removes a provider's own credentials (every key of its pool) from what it answers, before anything of
 * the answer reaches a client, a log row or a captured conversation. A provider, or a proxy in front of
 * it, that quotes the key it received ("Key not allowed for this model: sk-…") would otherwise hand the
 * organisation's key to whoever made the request. Each key is looked for as it is and as JSON escapes
 * it; a credential shorter than {@value #MIN_LENGTH} characters (a local server's placeholder) is no
 * secret and is left alone, so that ordinary text is not rewritten.
 */
public final class CredentialScrubber {

    /** What a credential is replaced by. */
    public static final String MARK = "[provider key]";
    static final int MIN_LENGTH = 12;
    /** Scrubs nothing: a provider without credentials. */
    public static final CredentialScrubber NONE = new CredentialScrubber(List.of());

    private static final byte[] MARK_BYTES = MARK.getBytes(StandardCharsets.UTF_8);

    private final List<byte[]> secrets;
    private final List<String> texts;

    private CredentialScrubber(List<String> texts) {
        this.texts = texts;
        this.secrets = texts.stream().map(t -> t.getBytes(StandardCharsets.UTF_8)).toList();
    }

    /** A scrubber of these credentials (nulls and short ones ignored). */
    public static CredentialScrubber of(List<String> credentials) {
        Set<String> forms = new LinkedHashSet<>();
        for (String c : credentials) {
            if (c != null && c.length() >= MIN_LENGTH) {
                forms.add(c);
                forms.add(c.replace("\\", "\\\\").replace("\"", "\\\"").replace("/", "\\/"));
                forms.add(c.replace("\\", "\\\\").replace("\"", "\\\""));
            }
        }
        return forms.isEmpty() ? NONE : new CredentialScrubber(List.copyOf(forms));
    }

    /** {@code bytes} without any credential: the same array when none is in it. */
    public byte[] scrub(byte[] bytes) {
        byte[] result = bytes;
        for (byte[] secret : secrets) {
            result = replace(result, secret);
        }
        return result;
    }

    /** {@code text} without any credential. */
    public String scrub(String text) {
        if (text == null || texts.isEmpty()) {
            return text;
        }
        String result = text;
        for (String secret : texts) {
            if (result.contains(secret)) {
                result = result.replace(secret, MARK);
            }
        }
        return result;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof CredentialScrubber that && texts.equals(that.texts);
    }

    @Override
    public int hashCode() {
        return texts.hashCode();
    }

    @Override
    public String toString() {
        return "CredentialScrubber[" + texts.size() + " forms]";
    }

    /** This scrubber, and {@code credential} too (a token exchanged for the provider's key); itself for none. */
    public CredentialScrubber and(String credential) {
        CredentialScrubber more = of(java.util.Collections.singletonList(credential));
        if (more == NONE) {
            return this;
        }
        Set<String> all = new LinkedHashSet<>(texts);
        all.addAll(more.texts);
        return new CredentialScrubber(List.copyOf(all));
    }

    /** Whether {@code text} holds a credential. */
    public boolean isIn(String text) {
        return text != null && texts.stream().anyMatch(text::contains);
    }

    private static byte[] replace(byte[] data, byte[] secret) {
        int at = indexOf(data, secret, 0);
        if (at < 0) {
            return data;
        }
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(data.length);
        int copied = 0;
        while (at >= 0) {
            out.write(data, copied, at - copied);
            out.write(MARK_BYTES, 0, MARK_BYTES.length);
            copied = at + secret.length;
            at = indexOf(data, secret, copied);
        }
        out.write(data, copied, data.length - copied);
        return out.toByteArray();
    }

    static int indexOf(byte[] data, byte[] secret, int from) {
        byte first = secret[0];
        int last = data.length - secret.length;
        for (int i = from; i <= last; i++) {
            if (data[i] != first) {
                continue;
            }
            int j = 1;
            while (j < secret.length && data[i + j] == secret[j]) {
                j++;
            }
            if (j == secret.length) {
                return i;
            }
        }
        return -1;
    }
}
