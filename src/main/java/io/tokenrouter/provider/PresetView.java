package io.tokenrouter.provider;

import io.tokenrouter.upstream.ProviderPreset;

/** A built-in preset as the API lists it. */
public record PresetView(String id, String label, String baseUrl, String authStyle, boolean local) {

    static PresetView of(ProviderPreset p) {
        return new PresetView(p.id(), p.label(), p.baseUrl(), p.authStyle().name().toLowerCase(java.util.Locale.ROOT), p.local());
    }
}
