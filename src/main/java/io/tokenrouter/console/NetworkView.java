package io.tokenrouter.console;

import io.tokenrouter.observe.StatusService;
import io.tokenrouter.runtime.ClientAddresses;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import jakarta.servlet.http.HttpServletRequest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Network: what the application sees of its container for the request that shows the page (listener,
 * scheme, TLS protocol and cipher, the path through proxies) and of the cluster (database, nodes). The
 * container owns TLS and ports; the page says where to configure them.
 */
@Named
@RequestScoped
public class NetworkView {

    @Inject
    StatusService statusService;
    @Inject
    ClientAddresses addresses;
    @Inject
    io.tokenrouter.usage.UsageRecorder usage;
    @Inject
    io.tokenrouter.store.Database database;
    @Inject
    io.tokenrouter.config.GatewaySettings settings;

    private StatusService.Cluster cluster;

    public Map<String, String> getServer() {
        if (cluster() == null) {
            return Map.of(); // not for this caller: the service refused
        }
        HttpServletRequest r = Console.request();
        var context = r.getServletContext();
        Map<String, String> m = new LinkedHashMap<>();
        m.put("Server", context.getServerInfo());
        m.put("Servlet API", context.getEffectiveMajorVersion() + "." + context.getEffectiveMinorVersion()
                + " (container " + context.getMajorVersion() + "." + context.getMinorVersion() + ")");
        m.put("Java", System.getProperty("java.vm.name") + " " + Runtime.version());
        m.put("Background threads from", io.tokenrouter.config.DaemonThreads.owner());
        m.put("Context path", r.getContextPath().isEmpty() ? "/ (root)" : r.getContextPath());
        m.put("Processors / heap", Runtime.getRuntime().availableProcessors() + " / "
                + Runtime.getRuntime().maxMemory() / (1024 * 1024) + " MiB max");
        return m;
    }

    public Map<String, String> getRequest() {
        if (cluster() == null) {
            return Map.of(); // not for this caller: the service refused
        }
        HttpServletRequest r = Console.request();
        Map<String, String> m = new LinkedHashMap<>();
        m.put("URL", r.getRequestURL().toString());
        m.put("Scheme", r.getScheme() + (r.isSecure() ? " (secure)" : " (not secure)"));
        m.put("Host and port as asked", r.getServerName() + ":" + r.getServerPort());
        m.put("Listener", r.getLocalAddr() + ":" + r.getLocalPort());
        m.put("Protocol", r.getProtocol());
        m.put("TLS protocol", text(first(r, "jakarta.servlet.request.secure_protocol",
                "org.apache.tomcat.util.net.secure_protocol_version")));
        m.put("TLS cipher", text(r.getAttribute("jakarta.servlet.request.cipher_suite")));
        Object bits = r.getAttribute("jakarta.servlet.request.key_size");
        m.put("Key size", bits == null ? "—" : bits + " bits");
        return m;
    }

    public Map<String, String> getClient() {
        if (cluster() == null) {
            return Map.of(); // not for this caller: the service refused
        }
        HttpServletRequest r = Console.request();
        String peer = r.getRemoteAddr();
        boolean trusted = addresses.isTrusted(peer);
        Map<String, String> m = new LinkedHashMap<>();
        m.put("Connected from", peer);
        m.put("Through a trusted proxy", trusted ? "yes: " + peer + " is in trusted_proxies" : "no");
        m.put("X-Forwarded-For", headers(r, "X-Forwarded-For"));
        m.put("Forwarded", headers(r, "Forwarded"));
        m.put("X-Forwarded-Proto", headers(r, "X-Forwarded-Proto"));
        m.put("Client address used for logs and throttling", addresses.resolve(r));
        return m;
    }

    private StatusService.Cluster cluster() {
        if (cluster == null) {
            cluster = Console.attempt(() -> statusService.cluster(Console.caller()), null);
        }
        return cluster;
    }

    public String getDatabase() {
        return cluster() == null ? "—" : cluster().database();
    }

    /** This node's database reachability and journal: what /health/ready and /metrics say, for a person. */
    public Map<String, String> getJournal() {
        if (cluster() == null) {
            return Map.of(); // not for this caller: the service refused
        }
        var outage = database.outage();
        Map<String, String> m = new LinkedHashMap<>();
        m.put("Database", outage.down() ? "unreachable since " + Console.time(outage.since()) + " (" + outage.cause() + ")"
                : "reachable" + (outage.outages() == 0 ? "" : "; " + outage.outages() + " outage(s) since this node started"));
        m.put("Journal", usage.journalDirectory().toString());
        m.put("Not yet stored", usage.journalPending() + " rows, " + usage.journalBytes() / 1024 + " KiB of "
                + settings.journalMaxBytes() / (1024 * 1024) + " MiB" + (usage.journalOldest() == null ? ""
                : ", the oldest from " + Console.time(usage.journalOldest())));
        m.put("Journaled / stored", usage.journaled() + " / " + usage.written() + " rows since this node started"
                + (usage.duplicatesSkipped() == 0 ? "" : " (" + usage.duplicatesSkipped() + " shipped twice, stored once)"));
        return m;
    }

    public List<Map<String, String>> getNodes() {
        List<Map<String, String>> rows = new ArrayList<>();
        if (cluster() != null) {
            for (var n : cluster().nodes()) {
                Map<String, String> row = new LinkedHashMap<>();
                row.put("name", n.name() + (n.nodeId().equals(cluster().thisNode()) ? "  (this node)" : ""));
                row.put("id", n.nodeId());
                row.put("started", Console.time(n.startedAt()));
                row.put("seen", Console.relative(n.lastSeen()));
                rows.add(row);
            }
        }
        return rows;
    }

    public boolean isSecure() {
        return Console.request().isSecure();
    }

    private static Object first(HttpServletRequest r, String... names) {
        for (String name : names) {
            Object value = r.getAttribute(name);
            if (value != null) {
                return value;
            }
        }
        return null;
    }

    private static String headers(HttpServletRequest r, String name) {
        List<String> values = Collections.list(r.getHeaders(name));
        return values.isEmpty() ? "—" : String.join(", ", values);
    }

    private static String text(Object value) {
        return value == null ? "—" : value.toString();
    }

    public String time(Instant t) {
        return Console.time(t);
    }
}
