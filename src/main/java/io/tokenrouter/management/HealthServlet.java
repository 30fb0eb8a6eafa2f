package io.tokenrouter.management;

import io.tokenrouter.api.Json;
import io.tokenrouter.config.GatewaySettings;
import io.tokenrouter.store.Database;
import io.tokenrouter.store.DatabaseOutage;
import io.tokenrouter.store.NodeRegistry;
import io.tokenrouter.usage.UsageRecorder;
import jakarta.enterprise.inject.spi.CDI;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Health for load balancers and orchestrators, public and without the database. {@code GET /health/live}: 200
 * while the process serves HTTP. {@code GET /health/ready}: whether this node can serve {@code /v1} now; 200
 * with {@code "status": "ok"}, or {@code "degraded"} and the reasons while it serves from its caches,
 * allowances and journal (the database is unreachable, or the journal holds rows not yet stored); 503 with
 * {@code "unavailable"} only when it cannot serve at all (its journal is full).
 */
@WebServlet(urlPatterns = {"/health/live", "/health/ready"}, loadOnStartup = 3)
public class HealthServlet extends HttpServlet {

    /** A journal holding rows older than this is worth saying: the database does not keep up. */
    static final Duration JOURNAL_LAG = Duration.ofSeconds(10);

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        Map<String, Object> body = request.getServletPath().endsWith("live") ? Map.of("status", "ok") : ready();
        response.setStatus("unavailable".equals(body.get("status")) ? 503 : 200);
        response.setContentType("application/json");
        response.setCharacterEncoding("UTF-8");
        response.setHeader("Cache-Control", "no-store");
        response.getOutputStream().write(Json.bytes(body));
    }

    private static Map<String, Object> ready() {
        Database database = CDI.current().select(Database.class).get();
        UsageRecorder usage = CDI.current().select(UsageRecorder.class).get();
        GatewaySettings settings = CDI.current().select(GatewaySettings.class).get();
        DatabaseOutage outage = database.outage();
        List<String> reasons = new ArrayList<>();
        List<String> fatal = new ArrayList<>();
        if (outage.down()) {
            reasons.add("the database is unreachable since " + outage.since() + " (" + outage.cause() + "): keys this node"
                    + " knows and its quota allowances serve, requests are journaled");
        }
        Instant oldest = usage.journalOldest();
        if (oldest != null && Duration.between(oldest, Instant.now()).compareTo(JOURNAL_LAG) > 0) {
            reasons.add("the journal holds " + usage.journalPending() + " request-log rows not yet stored, the oldest from "
                    + oldest);
        }
        if (usage.journalFull()) {
            fatal.add("the journal is full (" + usage.journalBytes() + " of " + settings.journalMaxBytes()
                    + " bytes): new requests are refused until the database stores what it holds");
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", !fatal.isEmpty() ? "unavailable" : reasons.isEmpty() ? "ok" : "degraded");
        body.put("node", CDI.current().select(NodeRegistry.class).get().name());
        if (!fatal.isEmpty() || !reasons.isEmpty()) {
            List<String> all = new ArrayList<>(fatal);
            all.addAll(reasons);
            body.put("reasons", all);
        }
        Map<String, Object> db = new LinkedHashMap<>();
        db.put("reachable", !outage.down());
        if (outage.down()) {
            db.put("unreachable_since", outage.since().toString());
        }
        body.put("database", db);
        Map<String, Object> journal = new LinkedHashMap<>();
        journal.put("pending_records", usage.journalPending());
        journal.put("bytes", usage.journalBytes());
        journal.put("max_bytes", settings.journalMaxBytes());
        journal.put("oldest", oldest == null ? null : oldest.toString());
        body.put("journal", journal);
        return body;
    }
}
