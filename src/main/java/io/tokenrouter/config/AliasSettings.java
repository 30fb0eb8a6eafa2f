package io.tokenrouter.config;

import java.util.List;

/**
 * One {@code [[model_aliases]]} entry: a stable public name with its targets per profile (several under
 * one profile: fallbacks by {@code order}, load balanced by {@code weight}).
 */
public record AliasSettings(String name, List<Target> targets) {

    /** Where the alias points while {@code profile} is active; order and weight null for the default 1. */
    public record Target(String profile, String provider, String model, Integer order, Integer weight) {

        public Target(String profile, String provider, String model) {
            this(profile, provider, model, null, null);
        }
    }
}
