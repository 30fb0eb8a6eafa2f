package io.tokenrouter.config;

import java.util.List;

/** One {@code [[model_aliases]]} entry: a stable public name with a target per profile. */
public record AliasSettings(String name, List<Target> targets) {

    /** Where the alias points while {@code profile} is active. */
    public record Target(String profile, String provider, String model) {
    }
}
