package io.tokenrouter.routing;

/** Where an alias points under one profile. */
public record AliasTarget(String profile, String provider, String model) {
}
