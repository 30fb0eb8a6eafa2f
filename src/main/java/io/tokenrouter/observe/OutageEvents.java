package io.tokenrouter.observe;

import io.tokenrouter.events.EventLog;
import io.tokenrouter.store.Database;
import io.tokenrouter.store.DatabaseOutage;
import io.tokenrouter.store.NodeRegistry;
import io.tokenrouter.usage.UsageRecorder;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Marks each database outage this node saw in the event log: its start (stored once the database is back,
 * with the time it began), and its end with its length and how many request-log rows the node journaled
 * meanwhile. Events that waited for the database are stored when it is back; meanwhile they are kept in the
 * node's journal directory, so that a node that dies during the outage stores them when it starts again.
 */
@ApplicationScoped
public class OutageEvents {

    @Inject
    Database database;
    @Inject
    EventLog events;
    @Inject
    UsageRecorder usage;
    @Inject
    NodeRegistry node;

    private volatile long journaledAtStart;

    @PostConstruct
    void listen() {
        events.spoolTo(usage.journalDirectory());
        database.onOutage(this::changed);
    }

    void changed(DatabaseOutage.Change change) {
        if (change.ended() == null) {
            journaledAtStart = usage.journaled();
            events.error("database", node.name(), "The database became unreachable (" + change.cause() + "); this node serves"
                    + " from its key cache and quota allowances and journals every request");
            return;
        }
        long seconds = change.length().toSeconds();
        events.info("database", node.name(), "The database is reachable again after " + seconds + " s; this node journaled "
                + (usage.journaled() - journaledAtStart) + " request-log rows meanwhile, " + usage.journalPending()
                + " of them still to be stored");
        events.flushWaiting();
    }
}
