package io.tokenrouter.observe;

import io.tokenrouter.access.Caller;
import io.tokenrouter.api.GatewayException;
import io.tokenrouter.store.ApiKeyRepository;
import io.tokenrouter.store.LogFilter;
import io.tokenrouter.store.Page;
import io.tokenrouter.store.RequestLogRepository;
import io.tokenrouter.store.Role;
import io.tokenrouter.usage.Analytics;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * What went through the gateway, with who may see what: usage analytics and the request log. An admin sees all
 * of it, a keymaster the keys beneath it, an inferrer its own key.
 */
@ApplicationScoped
public class TrafficService {

    /** Request-log status filters: answered fine, any error, refused before forwarding, failed after. */
    public static final Set<String> LOG_STATUSES = Set.of("ok", "error", "refused", "failed");

    @Inject
    Analytics analytics;
    @Inject
    RequestLogRepository log;
    @Inject
    ApiKeyRepository keys;

    public Analytics.Report usage(Caller actor, Instant from, Instant to, String groupBy) {
        if (actor.role() == Role.ADMIN) {
            return analytics.report(from, to, groupBy == null ? "all" : groupBy, null);
        }
        return analytics.report(from, to, groupBy == null ? "key" : groupBy, visibleKeys(actor));
    }

    /** The request log, newest first; outside an admin's view only the actor's own keys' rows. */
    public Page<LogEntry> log(Caller actor, LogFilter wanted, int offset, int limit) {
        return log(actor, wanted, offset, limit, 0);
    }

    /** The request log as {@link #log(Caller, LogFilter, int, int)}, counting at most {@code countLimit} rows (0: all). */
    public Page<LogEntry> log(Caller actor, LogFilter wanted, int offset, int limit, long countLimit) {
        if (wanted.status() != null && !LOG_STATUSES.contains(wanted.status())) {
            throw GatewayException.invalidRequest("status", "status must be one of " + new java.util.TreeSet<>(LOG_STATUSES) + ".");
        }
        List<Long> restrict = actor.role() == Role.ADMIN ? null : visibleKeys(actor);
        LogFilter filter = new LogFilter(wanted.from(), wanted.to(), wanted.keyId(), restrict, wanted.teamId(),
                wanted.provider(), wanted.model(), wanted.status(), wanted.clientIp(), wanted.text());
        return log.search(filter, offset, limit, countLimit).map(LogEntry::of);
    }

    private List<Long> visibleKeys(Caller actor) {
        return actor.role() == Role.KEYMASTER ? keys.subtreeIds(actor.keyId()) : List.of(actor.keyId());
    }
}
