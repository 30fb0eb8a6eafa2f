package io.tokenrouter.observe;

import io.tokenrouter.access.Authorization;
import io.tokenrouter.access.Caller;
import io.tokenrouter.store.Database;
import io.tokenrouter.store.EventRepository;
import io.tokenrouter.store.NodeRegistry;
import io.tokenrouter.store.Page;
import io.tokenrouter.store.ProviderQuotaRepository;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.List;

/**
 * How the gateway and its providers stand, for admins: providers' own quota figures, the operational event log,
 * the cluster's nodes, and what this node runs on.
 */
@ApplicationScoped
public class StatusService {

    @Inject
    ProviderQuotaRepository providerQuotas;
    @Inject
    EventRepository events;
    @Inject
    NodeRegistry nodes;
    @Inject
    Database database;

    public List<ProviderQuotaRepository.ProviderQuota> providerQuotas(Caller actor) {
        Authorization.requireAdmin(actor);
        return providerQuotas.findAll();
    }

    public Page<EventRepository.Event> events(Caller actor, String level, String category, String text, int offset,
                                              int limit) {
        Authorization.requireAdmin(actor);
        return events.search(level, category, text, offset, limit);
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
}
