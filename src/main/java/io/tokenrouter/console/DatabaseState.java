package io.tokenrouter.console;

import io.tokenrouter.store.Database;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;

/** Whether this node finds the database reachable, for the console's banner during an outage. */
@Named
@ApplicationScoped
public class DatabaseState {

    @Inject
    Database database;

    public boolean isDown() {
        return database.outage().down();
    }

    /** When the outage began ("2026-12-07T06:51:02Z"), or an empty string. */
    public String getSince() {
        return database.outage().since() == null ? "" : database.outage().since().toString();
    }
}
