package io.tokenrouter.sso;

/**
 * A single sign-on that signs nobody in, with a short reason the sign-in page explains ({@code no_role},
 * {@code disabled}, {@code invalid_state}, …) and the whole story for the audit trail.
 */
public final class SsoRefusal extends RuntimeException {

    private final String reason;

    public SsoRefusal(String reason, String message) {
        super(message);
        this.reason = reason;
    }

    static SsoRefusal unavailable(String message) {
        return new SsoRefusal("provider_unavailable", message == null
                ? "The identity provider cannot be reached; try again in a minute." : message);
    }

    /** The short reason, one of the page's known ones. */
    public String reason() {
        return reason;
    }
}
