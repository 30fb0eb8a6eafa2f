package io.tokenrouter.access;

import io.tokenrouter.api.GatewayException;
import jakarta.annotation.Priority;
import jakarta.inject.Inject;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.ext.Provider;

/**
 * Authenticates every {@code /v1} and {@code /api} request but those marked {@link PublicEndpoint}: the key comes from {@code Authorization: Bearer <key>} (or
 * {@code x-api-key}, as Anthropic-style clients send it) and becomes the request's {@link Caller}.
 */
@Provider
@Priority(Priorities.AUTHENTICATION)
public class ApiKeyFilter implements ContainerRequestFilter {

    @Inject
    KeyLookup keys;
    @Inject
    KeyActivity activity;
    @Context
    ResourceInfo resource;

    @Override
    public void filter(ContainerRequestContext request) {
        if (resource != null && resource.getResourceMethod() != null
                && resource.getResourceMethod().isAnnotationPresent(PublicEndpoint.class)) {
            return;
        }
        String secret = presentedKey(request);
        if (secret == null) {
            throw GatewayException.missingApiKey();
        }
        Caller caller = keys.resolve(secret);
        activity.used(caller.keyId());
        request.setProperty(Caller.PROPERTY, caller);
    }

    static String presentedKey(ContainerRequestContext request) {
        String authorization = request.getHeaderString(HttpHeaders.AUTHORIZATION);
        if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            String key = authorization.substring(7).trim();
            return key.isEmpty() ? null : key;
        }
        String header = request.getHeaderString("x-api-key");
        return header == null || header.isBlank() ? null : header.trim();
    }
}
