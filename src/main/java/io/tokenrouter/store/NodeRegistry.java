package io.tokenrouter.store;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.lang.management.ManagementFactory;
import java.time.Instant;
import java.util.UUID;

/**
 * This gateway node as the cluster sees it: a random id per start, a row in {@code gateway_nodes} and a
 * heartbeat. Work a node leaves behind in the database (quota holds) is reclaimed by the others once its
 * heartbeat stops.
 */
@ApplicationScoped
public class NodeRegistry {

    @Inject
    Database database;

    private final String nodeId = UUID.randomUUID().toString();
    private final String name = ManagementFactory.getRuntimeMXBean().getName();

    public String nodeId() {
        return nodeId;
    }

    public String name() {
        return name;
    }

    /** A gateway node as the shared database knows it. */
    public record Node(String nodeId, String name, Instant startedAt, Instant lastSeen) {
    }

    /** Every node that has announced itself and not been forgotten, most recently seen first. */
    public java.util.List<Node> nodes() {
        return database.inTransaction(em -> {
            java.util.List<Node> result = new java.util.ArrayList<>();
            for (Object row : em.createNativeQuery("select node_id, name, started_at, last_seen from gateway_nodes"
                    + " order by last_seen desc").getResultList()) {
                Object[] r = (Object[]) row;
                result.add(new Node((String) r[0], (String) r[1], EventRepository.toInstant(r[2]), EventRepository.toInstant(r[3])));
            }
            return result;
        });
    }

    /** When this node last wrote its heartbeat to the database; null before the first one. */
    public Instant lastHeartbeat() {
        return lastHeartbeat;
    }

    private volatile Instant lastHeartbeat;

    /** Announces this node, or refreshes its heartbeat. */
    public void heartbeat(Instant now) {
        database.run(em -> {
            int updated = em.createNativeQuery("update gateway_nodes set last_seen = ?1 where node_id = ?2")
                    .setParameter(1, now).setParameter(2, nodeId).executeUpdate();
            if (updated == 0) {
                em.createNativeQuery("insert into gateway_nodes (node_id, name, started_at, last_seen) values (?1, ?2, ?3, ?3)")
                        .setParameter(1, nodeId).setParameter(2, name).setParameter(3, now).executeUpdate();
            }
        });
        lastHeartbeat = now;
    }

    /** Forgets nodes not seen since {@code before}; their holds have been reclaimed long since. */
    public int forgetGone(Instant before) {
        return database.inTransaction(em -> em.createNativeQuery("delete from gateway_nodes where last_seen < ?1"
                        + " and not exists (select 1 from quota_holds h where h.node_id = gateway_nodes.node_id)")
                .setParameter(1, before).executeUpdate());
    }
}
