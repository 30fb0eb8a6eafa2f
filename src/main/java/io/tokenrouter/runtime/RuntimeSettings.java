package io.tokenrouter.runtime;

import io.tokenrouter.config.GatewaySettings;
import io.tokenrouter.config.Scheduler;
import io.tokenrouter.store.SettingRepository;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * The cluster's run-time settings as this node knows them: one {@link Operations} snapshot (retention, trusted
 * proxies, the provider-quota alert share, the alert webhook), swapped whole. Built from the settings table over
 * the file's values; every {@code route_refresh_interval} it compares the database's configuration version with
 * the one it was built from and rebuilds on a change, so a change made on any node reaches every node within that
 * interval. Reading it never touches the database.
 */
@ApplicationScoped
public class RuntimeSettings {

    @Inject
    GatewaySettings settings;
    @Inject
    SettingRepository store;
    @Inject
    Scheduler scheduler;

    private volatile Operations operations;
    private volatile long builtFromVersion = -1;

    /** Reads the stored settings and starts watching for changes. */
    public void start() {
        refresh();
        scheduler.every(settings.routeRefreshInterval(), "run-time settings refresh", this::refreshIfChanged);
    }

    /** The current snapshot; the file's values until the first read of the database. */
    public Operations operations() {
        Operations o = operations;
        if (o == null) {
            synchronized (this) {
                if (operations == null) {
                    operations = Operations.of(settings);
                }
                o = operations;
            }
        }
        return o;
    }

    public void refreshIfChanged() {
        if (store.routingVersion() != builtFromVersion) {
            refresh();
        }
    }

    /** Rebuilds the snapshot from the database now: after this node changed a setting. */
    public synchronized void refresh() {
        long version = store.routingVersion();
        operations = Operations.of(store.findAll(), settings);
        builtFromVersion = version;
    }
}
