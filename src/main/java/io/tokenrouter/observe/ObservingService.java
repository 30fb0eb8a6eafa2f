package io.tokenrouter.observe;

import io.tokenrouter.access.AuditTrail;
import io.tokenrouter.access.Authorization;
import io.tokenrouter.access.Caller;
import io.tokenrouter.store.Role;
import io.tokenrouter.api.GatewayException;
import io.tokenrouter.store.ApiKeyRepository;
import io.tokenrouter.store.ConversationRepository;
import io.tokenrouter.store.Database;
import io.tokenrouter.store.EventRepository;
import io.tokenrouter.store.LogFilter;
import io.tokenrouter.store.NodeRegistry;
import io.tokenrouter.store.Page;
import io.tokenrouter.store.PriceRepository;
import io.tokenrouter.store.ProviderQuotaRepository;
import io.tokenrouter.store.RequestLogRepository;
import io.tokenrouter.routing.Routes;
import io.tokenrouter.usage.Analytics;
import io.tokenrouter.usage.PriceBook;
import io.tokenrouter.usage.ShippedPrices;
import io.tokenrouter.usage.UsageRecorder;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * What the gateway observed, with who may see what: usage analytics and the request log (admins all of
 * it, a keymaster the keys beneath it, an inferrer its own key), captured conversations, providers' own
 * quota figures, the operational log and model prices (admins). Changes are audited in their transaction.
 */
@ApplicationScoped
public class ObservingService {

    /** Request-log status filters: answered fine, any error, refused before forwarding, failed after. */
    public static final Set<String> LOG_STATUSES = Set.of("ok", "error", "refused", "failed");

    @Inject
    UsageRecorder usage;
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
    Routes routes;
    @Inject
    NodeRegistry nodes;
    @Inject
    Database database;
    @Inject
    AuditTrail audit;

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

    public Page<ConversationRepository.ThreadSummary> conversations(Caller actor, String text, Long keyId, int offset,
                                                                    int limit) {
        Authorization.requireAdmin(actor);
        return conversations.threads(text, keyId, offset, limit);
    }

    public List<ConversationRepository.Turn> conversation(Caller actor, String thread) {
        Authorization.requireAdmin(actor);
        var turns = conversations.thread(thread);
        if (turns.isEmpty()) {
            throw GatewayException.notFound("No conversation thread '" + thread + "'.");
        }
        return turns;
    }

    public int deleteConversation(Caller actor, String thread) {
        Authorization.requireAdmin(actor);
        return database.inTransaction(em -> {
            int deleted = conversations.deleteThread(thread);
            if (deleted == 0) {
                throw GatewayException.notFound("No conversation thread '" + thread + "'.");
            }
            audit.record(actor, "Deleted conversation thread " + thread);
            return deleted;
        });
    }

    public int deleteAllConversations(Caller actor) {
        Authorization.requireAdmin(actor);
        return database.inTransaction(em -> {
            int deleted = conversations.deleteAll();
            audit.record(actor, "Deleted all " + deleted + " captured conversation turns");
            return deleted;
        });
    }

    public List<ProviderQuotaRepository.ProviderQuota> providerQuotas(Caller actor) {
        Authorization.requireAdmin(actor);
        return providerQuotas.findAll();
    }

    public Page<EventRepository.Event> events(Caller actor, String level, String category, String text, int offset,
                                              int limit) {
        Authorization.requireAdmin(actor);
        return events.search(level, category, text, offset, limit);
    }

    /** One model a client may ask for: its public id, the provider and model it reaches, its price if known. */
    public record CatalogEntry(String id, String provider, String model, PriceRepository.Price price) {
    }

    /** The aggregated catalog: every discovered {@code provider/model} and alias, with prices where known. */
    public List<CatalogEntry> catalog(Caller actor) {
        Authorization.requireAdmin(actor);
        PriceBook book = PriceBook.load(prices);
        var table = routes.current();
        List<CatalogEntry> entries = new java.util.ArrayList<>();
        for (var model : table.models()) {
            try {
                var route = table.resolve(model.id());
                String provider = route.provider().name();
                entries.add(new CatalogEntry(model.id(), provider, route.upstreamModel(), book.find(provider, route.upstreamModel())));
            } catch (GatewayException e) {
                // its provider went away since the table was built: not offered
            }
        }
        return entries;
    }

    /** The shared database this node uses, this node's id, and every node of the cluster with its last heartbeat. */
    public record Cluster(String database, String thisNode, List<NodeRegistry.Node> nodes) {
    }

    public Cluster cluster(Caller actor) {
        Authorization.requireAdmin(actor);
        return new Cluster(database.describe(), nodes.nodeId(), nodes.nodes());
    }

    /**
     * What this node runs on: the container, the Java runtime, the database it opened (and whether it answers
     * now), who creates its threads, and the cluster's nodes with their heartbeats.
     */
    public record Status(String server, String java, String thisNode, Database.Info database, boolean databaseReachable,
                         String threads, List<NodeRegistry.Node> nodes) {
    }

    public Status status(Caller actor, String server) {
        Authorization.requireAdmin(actor);
        return new Status(server, System.getProperty("java.vm.name") + " " + Runtime.version(), nodes.nodeId(),
                database.info(), database.reachable(), io.tokenrouter.config.DaemonThreads.owner(), nodes.nodes());
    }

    public List<PriceRepository.Price> prices(Caller actor) {
        Authorization.requireAdmin(actor);
        return prices.findAll();
    }

    /** Sets a price (an administrator's, which the shipped price table never replaces). */
    public List<PriceRepository.Price> setPrice(Caller actor, PriceDraft draft) {
        Authorization.requireAdmin(actor);
        PriceRepository.Price price = draft.validated();
        database.run(em -> {
            prices.store(price);
            audit.record(actor, "Set the price of " + describe(price.provider(), price.model()));
        });
        usage.pricesChanged();
        return prices.findAll();
    }

    /**
     * Removes a price; a model the shipped price table lists gets its shipped price back. 404 when there is none.
     */
    public List<PriceRepository.Price> deletePrice(Caller actor, String provider, String model) {
        Authorization.requireAdmin(actor);
        String at = provider == null ? "" : provider.trim();
        if (model == null || model.isBlank()) {
            throw GatewayException.invalidRequest("model", "model is required.");
        }
        database.run(em -> {
            if (prices.delete(at, model.trim()) == 0) {
                throw GatewayException.notFound("There is no price for " + describe(at, model.trim()) + ".");
            }
            audit.record(actor, "Removed the price of " + describe(at, model.trim()));
        });
        ShippedPrices.store(prices);
        usage.pricesChanged();
        return prices.findAll();
    }

    /** The date of the price table the gateway ships. */
    public java.time.LocalDate shippedPricesAsOf() {
        return ShippedPrices.table().asOf();
    }

    private static String describe(String provider, String model) {
        return (provider.isEmpty() ? "" : provider + "/") + model;
    }

    private List<Long> visibleKeys(Caller actor) {
        return actor.role() == Role.KEYMASTER ? keys.subtreeIds(actor.keyId()) : List.of(actor.keyId());
    }
}
