package io.tokenrouter.api;

/** Text quoted in messages: what a client or a provider sent, never quoted whole. */
public final class Texts {

    private Texts() {
    }

    /** {@code text} up to {@code max} characters, with an ellipsis when it was longer. */
    public static String abbreviate(String text, int max) {
        return text.length() > max ? text.substring(0, max) + "…" : text;
    }
}
