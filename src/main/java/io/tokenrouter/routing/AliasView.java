package io.tokenrouter.routing;

import java.util.List;

/** An alias with its target per profile, and where it points under the active profile (or null). */
public record AliasView(String name, List<AliasTarget> targets, AliasTarget active) {
}
