package io.tokenrouter.management;

import io.tokenrouter.observe.GatewayMetrics;

import io.tokenrouter.access.Caller;
import io.tokenrouter.access.KeyLookup;
import io.tokenrouter.store.Role;
import io.tokenrouter.api.ErrorBody;
import io.tokenrouter.api.GatewayException;
import io.tokenrouter.config.GatewaySettings;
import jakarta.enterprise.inject.spi.CDI;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/** {@code GET /metrics} in Prometheus text format, for an admin key or the configured {@code metrics_token}. */
@WebServlet(urlPatterns = "/metrics", loadOnStartup = 3)
public class MetricsServlet extends HttpServlet {

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        try {
            authorize(request.getHeader("Authorization"));
        } catch (GatewayException e) {
            response.setStatus(e.status());
            response.setContentType("application/json");
            response.getOutputStream().write(ErrorBody.bytes(e));
            return;
        }
        response.setContentType("text/plain; version=0.0.4; charset=utf-8");
        response.getOutputStream().write(CDI.current().select(GatewayMetrics.class).get().scrape()
                .getBytes(StandardCharsets.UTF_8));
    }

    private static void authorize(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            throw GatewayException.missingApiKey();
        }
        String presented = authorization.substring(7).trim();
        GatewaySettings settings = CDI.current().select(GatewaySettings.class).get();
        if (settings.metricsToken().isPresent() && MessageDigest.isEqual(
                settings.metricsToken().get().getBytes(StandardCharsets.UTF_8), presented.getBytes(StandardCharsets.UTF_8))) {
            return;
        }
        Caller caller = CDI.current().select(KeyLookup.class).get().resolve(presented);
        if (caller.role() != Role.ADMIN) {
            throw GatewayException.forbidden("Metrics need an admin key or the metrics token.");
        }
    }
}
