package io.tokenrouter.routing;

/**
 * One target of an alias under one profile. Under a profile an alias may have several targets: those of
 * the lowest {@code order} are tried first, one of them chosen by {@code weight} among the healthy ones;
 * the next order is the fallback when all of those failed. Both default to 1.
 */
public record AliasTarget(String profile, String provider, String model, Integer order, Integer weight) {

    public static final int MAX_ORDER = 100;
    public static final int MAX_WEIGHT = 1000;

    public AliasTarget {
        order = order == null ? 1 : order;
        weight = weight == null ? 1 : weight;
    }

    /** A single target with order 1 and weight 1 (the form every alias had before fallbacks). */
    public AliasTarget(String profile, String provider, String model) {
        this(profile, provider, model, 1, 1);
    }

    /** How the audit trail names it: {@code cloud: openai/gpt-4o (order 2, weight 3)}. */
    public String describe() {
        String extra = (order != 1 ? "order " + order : "") + (order != 1 && weight != 1 ? ", " : "")
                + (weight != 1 ? "weight " + weight : "");
        return profile + ": " + provider + "/" + model + (extra.isEmpty() ? "" : " (" + extra + ")");
    }
}
