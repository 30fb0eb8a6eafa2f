package io.tokenrouter.provider;

import io.tokenrouter.upstream.ProviderPreset;
import java.util.Locale;

/**
 * A built-in preset as the API lists it: its base URL, or for a provider whose URL names the customer's own
 * resource the {@code template} to fill in; what using it takes ({@code access}: paid, free_tier, trial,
 * public_free, local); the label the console offers it under; and {@code signIn}, where its key is signed in
 * for (GitHub Copilot's: {@code GitHub}) instead of pasted.
 */
public record PresetView(String id, String label, String baseUrl, String template, String authStyle, String access,
                         boolean local, String choice, String signIn) {

    static PresetView of(ProviderPreset p) {
        String note = switch (p.access()) {
            case FREE_TIER -> " (free tier with a key)";
            case TRIAL -> " (trial credits)";
            case PUBLIC_FREE -> " (free models, no key)";
            default -> "";
        };
        return new PresetView(p.id(), p.label(), p.baseUrl(), p.template(), p.authStyle().name().toLowerCase(Locale.ROOT),
                p.access().name().toLowerCase(Locale.ROOT), p.local(), p.label() + note,
                p.deviceLogin().map(d -> d.label()).orElse(null));
    }
}
