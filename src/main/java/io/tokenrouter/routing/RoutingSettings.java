package io.tokenrouter.routing;

import java.util.List;

/** The cluster-wide routing settings the API edits. Null fields of an update are left as they are. */
public record RoutingSettings(String defaultProvider, String defaultModel, List<String> allowedModels,
                              String activeModelProfile, Boolean conversationsEnabled) {
}
