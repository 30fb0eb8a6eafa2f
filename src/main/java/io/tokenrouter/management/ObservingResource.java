package io.tokenrouter.management;

import io.swagger.v3.oas.annotations.tags.Tag;
import io.tokenrouter.api.GatewayException;
import io.tokenrouter.observe.ConversationService;
import io.tokenrouter.observe.PriceService;
import io.tokenrouter.observe.StatusService;
import io.tokenrouter.observe.TrafficService;
import io.tokenrouter.observe.PriceDraft;
import io.tokenrouter.store.ConversationRepository;
import io.tokenrouter.store.EventRepository;
import io.tokenrouter.store.LogFilter;
import io.tokenrouter.observe.LogEntry;
import io.tokenrouter.store.PriceRepository;
import io.tokenrouter.store.ProviderQuotaRepository;
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
import java.util.List;

/**
 * What the gateway observed, as thin adapters to the observing services: usage analytics ({@code /api/usage})
 * and the request log ({@code /api/logs}) of {@link TrafficService}, captured conversations of
 * {@link ConversationService}, providers' own quota figures and the operational log of {@link StatusService},
 * and model prices of {@link PriceService}.
 */
@Tag(name = "Observing", description = "Request log, analytics, conversations, events, provider quotas and model prices.")
@Path("")
@ApplicationScoped
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class ObservingResource {

    @Inject
    ConversationService conversationService;
    @Inject
    PriceService priceService;
    @Inject
    StatusService statusService;
    @Inject
    TrafficService trafficService;

    @GET
    @Path("usage")
    public Analytics.Report usage(@QueryParam("from") String from, @QueryParam("to") String to,
                                  @QueryParam("group_by") String groupBy, @Context ContainerRequestContext request) {
        Instant end = time("to", to, Instant.now());
        Instant start = time("from", from, end.minus(Duration.ofHours(24)));
        return trafficService.usage(Guard.caller(request), start, end, groupBy);
    }

    /** {@code status}: ok, error, refused (before forwarding) or failed (after). */
    @GET
    @Path("logs")
    public ListPage<LogEntry> logs(@QueryParam("from") String from, @QueryParam("to") String to,
                                 @QueryParam("key_id") Long keyId, @QueryParam("team_id") Long teamId,
                                 @QueryParam("provider") String provider, @QueryParam("model") String model,
                                 @QueryParam("status") String status, @QueryParam("client_ip") String clientIp,
                                 @QueryParam("q") String text, @QueryParam("offset") Integer offset,
                                 @QueryParam("limit") Integer limit, @Context ContainerRequestContext request) {
        LogFilter filter = new LogFilter(time("from", from, null), time("to", to, null), keyId, null, teamId, provider,
                model, status, clientIp, text);
        int first = ListPage.offset(offset);
        int size = ListPage.limit(limit);
        return ListPage.of(trafficService.log(Guard.caller(request), filter, first, size), first, size);
    }

    @GET
    @Path("conversations")
    public ListPage<ConversationRepository.ThreadSummary> conversations(@QueryParam("q") String text,
            @QueryParam("key_id") Long keyId, @QueryParam("offset") Integer offset, @QueryParam("limit") Integer limit,
            @Context ContainerRequestContext request) {
        int from = ListPage.offset(offset);
        int size = ListPage.limit(limit);
        return ListPage.of(conversationService.conversations(Guard.caller(request), text, keyId, from, size), from, size);
    }

    @GET
    @Path("conversations/{thread}")
    public Answers.Thread conversation(@PathParam("thread") String thread, @Context ContainerRequestContext request) {
        return new Answers.Thread(thread, conversationService.conversation(Guard.caller(request), thread));
    }

    @DELETE
    @Path("conversations/{thread}")
    public Answers.Deleted deleteConversation(@PathParam("thread") String thread, @Context ContainerRequestContext request) {
        return new Answers.Deleted(conversationService.deleteConversation(Guard.caller(request), thread));
    }

    @DELETE
    @Path("conversations")
    public Answers.Deleted deleteAllConversations(@Context ContainerRequestContext request) {
        return new Answers.Deleted(conversationService.deleteAllConversations(Guard.caller(request)));
    }

    @GET
    @Path("provider-quotas")
    public List<ProviderQuotaRepository.ProviderQuota> providerQuotas(@Context ContainerRequestContext request) {
        return statusService.providerQuotas(Guard.caller(request));
    }

    @GET
    @Path("events")
    public ListPage<EventRepository.Event> events(@QueryParam("level") String level, @QueryParam("category") String category,
                                                  @QueryParam("q") String text, @QueryParam("offset") Integer offset,
                                                  @QueryParam("limit") Integer limit, @Context ContainerRequestContext request) {
        int from = ListPage.offset(offset);
        int size = ListPage.limit(limit);
        return ListPage.of(statusService.events(Guard.caller(request), level, category, text, from, size), from, size);
    }

    @GET
    @Path("prices")
    public List<PriceRepository.Price> prices(@Context ContainerRequestContext request) {
        return priceService.prices(Guard.caller(request));
    }

    @PUT
    @Path("prices")
    public List<PriceRepository.Price> setPrice(PriceDraft price, @Context ContainerRequestContext request) {
        return priceService.setPrice(Guard.caller(request), Validation.required(price));
    }

    @DELETE
    @Path("prices")
    public List<PriceRepository.Price> deletePrice(@QueryParam("provider") String provider, @QueryParam("model") String model,
                                                   @Context ContainerRequestContext request) {
        return priceService.deletePrice(Guard.caller(request), provider, model);
    }

    static Instant time(String param, String text, Instant fallback) {
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
