package io.tokenrouter.routing;

/** One entry of {@code /v1/models}: a {@code provider/model} id or an alias. */
public record ModelEntry(String id, String ownedBy, long created) {
}
