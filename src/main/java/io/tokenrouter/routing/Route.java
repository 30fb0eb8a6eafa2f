package io.tokenrouter.routing;

/**
 * The outcome of routing one request: the provider to call, the model name to send it, and the public
 * name the client asked for (after defaults), for logs and usage.
 */
public record Route(ProviderTarget provider, String upstreamModel, String publicModel) {

    /** The {@code provider/model} id of the route. */
    public String qualifiedModel() {
        return provider.name() + "/" + upstreamModel;
    }
}
