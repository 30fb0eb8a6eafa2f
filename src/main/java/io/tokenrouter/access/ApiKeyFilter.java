package io.tokenrouter.access;

import io.tokenrouter.api.GatewayException;
import jakarta.annotation.Priority;
import jakarta.inject.Inject;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.ext.Provider;
import org.glassfish.jersey.server.ExtendedUriInfo;
import org.glassfish.jersey.server.model.ResourceMethod;

/**
 * Authenticates every {@code /v1} and {@code /api} request but those marked {@link PublicEndpoint}: the key comes from {@code Authorization: Bearer <key>} (or
 * {@code x-api-key}, as Anthropic-style clients send it) and becomes the request's {@link Caller}. In the
 * applications that set {@link #ACCEPT_SESSIONS} (the management API), a session token from signing in
 * ({@link SessionService#PREFIX}…) is accepted in its place.
 */
@Provider
@Priority(Priorities.AUTHENTICATION)
public class ApiKeyFilter implements ContainerRequestFilter {

    /** Application property: session tokens authenticate here too. */
    public static final String ACCEPT_SESSIONS = "io.tokenrouter.acceptSessions";

    @Inject
    KeyLookup keys;
    @Inject
    SessionService sessions;
    @Context
    jakarta.ws.rs.core.Configuration configuration;
    @Inject
    KeyActivity activity;

    @Override
    public void filter(ContainerRequestContext request) {
        if (isPublic(request)) {
            return;
        }
        String secret = presentedKey(request);
        if (secret == null) {
            throw GatewayException.missingApiKey();
        }
        Caller caller;
        if (secret.startsWith(SessionService.PREFIX) && Boolean.TRUE.equals(configuration.getProperty(ACCEPT_SESSIONS))) {
            caller = sessions.resolve(secret);
            request.setProperty(SESSION_TOKEN, secret);
        } else {
            caller = keys.resolve(secret);
        }
        activity.used(caller.keyId());
        request.setProperty(Caller.PROPERTY, caller);
    }

    /**
     * Whether the matched resource method is a {@link PublicEndpoint}: read from the request's own
     * {@link ExtendedUriInfo}, not an injected {@code ResourceInfo}, which is a proxy resolved per call.
     */
    private static boolean isPublic(ContainerRequestContext request) {
        if (request.getUriInfo() instanceof ExtendedUriInfo uri) {
            ResourceMethod matched = uri.getMatchedResourceMethod();
            return matched != null && matched.getInvocable().getHandlingMethod().isAnnotationPresent(PublicEndpoint.class);
        }
        return false;
    }

    /** The request property holding the session token, when a session authenticated the request. */
    public static final String SESSION_TOKEN = "io.tokenrouter.sessionToken";

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
