package io.tokenrouter.management;

import io.tokenrouter.access.Caller;
import io.tokenrouter.access.Role;
import io.tokenrouter.api.GatewayException;
import io.tokenrouter.observe.EventLog;
import io.tokenrouter.observe.ProviderQuotas;
import io.tokenrouter.store.ApiKeyRepository;
import io.tokenrouter.store.ConversationRepository;
import io.tokenrouter.store.EventRepository;
import io.tokenrouter.store.LogFilter;
import io.tokenrouter.store.LogRow;
import io.tokenrouter.store.PriceRepository;
import io.tokenrouter.store.ProviderQuotaRepository;
import io.tokenrouter.store.RequestLogRepository;
import io.tokenrouter.usage.Analytics;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the gateway observed: usage analytics ({@code /api/usage}), the request log ({@code /api/logs}),
 * captured conversations, providers' own quota figures, the operational log and model prices. Admins
 * see everything; a keymaster sees the usage and log of the keys beneath it, an inferrer its own.
 */
@Path("")
@ApplicationScoped
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class ObservingResource {

    @Inject
    Analytics analytics;
    @Inject
    RequestLogRepository log;
    @Inject
    ApiKeyRepository keys;
    @Inject
    ConversationRepository conversations;
    @Inject
    ProviderQuotaRepository providerQuotas;
    @Inject
    EventRepository events;
    @Inject
    PriceRepository prices;
    @Inject
    EventLog eventLog;

    @GET
    @Path("usage")
    public Analytics.Report usage(@QueryParam("from") String from, @QueryParam("to") String to,
                                  @QueryParam("group_by") String groupBy, @Context ContainerRequestContext request) {
        Caller caller = Guard.caller(request);
        Instant end = time("to", to, Instant.now());
        Instant start = time("from", from, end.minus(Duration.ofHours(24)));
        if (caller.role() == Role.ADMIN) {
            return analytics.report(start, end, groupBy == null ? "all" : groupBy, null);
        }
        return analytics.report(start, end, groupBy == null ? "key" : groupBy, visibleKeys(caller));
    }

    @GET
    @Path("logs")
    public ListPage<LogRow> logs(@QueryParam("from") String from, @QueryParam("to") String to,
                                 @QueryParam("key_id") Long keyId, @QueryParam("team_id") Long teamId,
                                 @QueryParam("provider") String provider, @QueryParam("model") String model,
                                 @QueryParam("status") String status, @QueryParam("client_ip") String clientIp,
                                 @QueryParam("q") String text, @QueryParam("offset") Integer offset,
                                 @QueryParam("limit") Integer limit, @Context ContainerRequestContext request) {
        Caller caller = Guard.caller(request);
        if (status != null && !status.equals("ok") && !status.equals("error")) {
            throw GatewayException.invalidRequest("status", "status must be 'ok' or 'error'.");
        }
        List<Long> restrict = caller.role() == Role.ADMIN ? null : visibleKeys(caller);
        LogFilter filter = new LogFilter(from == null ? null : time("from", from, null), to == null ? null : time("to", to, null),
                keyId, restrict, teamId, provider, model, status, clientIp, text);
        int first = ListPage.offset(offset);
        int size = ListPage.limit(limit);
        return ListPage.of(log.search(filter, first, size), first, size);
    }

    @GET
    @Path("conversations")
    public ListPage<ConversationRepository.ThreadSummary> conversations(@QueryParam("q") String text,
            @QueryParam("key_id") Long keyId, @QueryParam("offset") Integer offset, @QueryParam("limit") Integer limit,
            @Context ContainerRequestContext request) {
        Guard.admin(request);
        int from = ListPage.offset(offset);
        int size = ListPage.limit(limit);
        return ListPage.of(conversations.threads(text, keyId, from, size), from, size);
    }

    @GET
    @Path("conversations/{thread}")
    public Map<String, Object> conversation(@PathParam("thread") String thread, @Context ContainerRequestContext request) {
        Guard.admin(request);
        var turns = conversations.thread(thread);
        if (turns.isEmpty()) {
            throw GatewayException.notFound("No conversation thread '" + thread + "'.");
        }
        return Map.of("thread_id", thread, "turns", turns);
    }

    @DELETE
    @Path("conversations/{thread}")
    public Map<String, Object> deleteConversation(@PathParam("thread") String thread, @Context ContainerRequestContext request) {
        Caller caller = Guard.admin(request);
        int deleted = conversations.deleteThread(thread);
        if (deleted == 0) {
            throw GatewayException.notFound("No conversation thread '" + thread + "'.");
        }
        eventLog.info("config", caller.keyName(), "Deleted conversation thread " + thread);
        return Map.of("deleted", deleted);
    }

    @DELETE
    @Path("conversations")
    public Map<String, Object> deleteAllConversations(@Context ContainerRequestContext request) {
        Caller caller = Guard.admin(request);
        int deleted = conversations.deleteAll();
        eventLog.warn("config", caller.keyName(), "Deleted all " + deleted + " captured conversation turns");
        return Map.of("deleted", deleted);
    }

    @GET
    @Path("provider-quotas")
    public List<ProviderQuotaRepository.ProviderQuota> providerQuotas(@Context ContainerRequestContext request) {
        Guard.admin(request);
        return providerQuotas.findAll();
    }

    @GET
    @Path("events")
    public ListPage<EventRepository.Event> events(@QueryParam("level") String level, @QueryParam("category") String category,
                                                  @QueryParam("q") String text, @QueryParam("offset") Integer offset,
                                                  @QueryParam("limit") Integer limit, @Context ContainerRequestContext request) {
        Guard.admin(request);
        int from = ListPage.offset(offset);
        int size = ListPage.limit(limit);
        return ListPage.of(events.search(level, category, text, from, size), from, size);
    }

    @GET
    @Path("prices")
    public List<PriceRepository.Price> prices(@Context ContainerRequestContext request) {
        Guard.admin(request);
        return prices.findAll();
    }

    @PUT
    @Path("prices")
    public List<PriceRepository.Price> setPrice(PriceRepository.Price price, @Context ContainerRequestContext request) {
        Caller caller = Guard.admin(request);
        PriceRepository.Price p = Validation.required(price);
        if (p.model() == null || p.model().isBlank()) {
            throw GatewayException.invalidRequest("model", "model is required.");
        }
        if (p.inputMicros() < 0 || p.outputMicros() < 0 || p.cachedInputMicros() < 0) {
            throw GatewayException.invalidRequest("input_micros", "Prices cannot be negative.");
        }
        prices.store(new PriceRepository.Price(p.provider() == null ? "" : p.provider(), p.model(), p.inputMicros(),
                p.outputMicros(), p.cachedInputMicros()));
        eventLog.info("config", caller.keyName(), "Set the price of " + (p.provider() == null ? "" : p.provider() + "/") + p.model());
        return prices.findAll();
    }

    private List<Long> visibleKeys(Caller caller) {
        return caller.role() == Role.KEYMASTER ? keys.subtreeIds(caller.keyId()) : List.of(caller.keyId());
    }

    private static Instant time(String param, String text, Instant fallback) {
        if (text == null || text.isBlank()) {
            return fallback;
        }
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            throw GatewayException.invalidRequest(param, param + " must be an ISO-8601 instant such as 2026-01-31T00:00:00Z.");
        }
    }
}
