package io.tokenrouter.access;

import io.tokenrouter.config.GatewaySettings;
import io.tokenrouter.store.Database;
import io.tokenrouter.store.TestDatabases;

/** Sessions, key lookup and the audit trail on a test database, for tests of the packages above. */
public final class TestSessions {

    private TestSessions() {
    }

    public static AuditTrail audit(Database database) {
        return new AuditTrail(TestDatabases.events(database), TestDatabases.audit(database));
    }

    public static KeyLookup lookup(Database database, GatewaySettings settings) {
        KeyLookup lookup = new KeyLookup();
        lookup.settings = settings;
        lookup.keys = TestDatabases.keys(database);
        lookup.teams = TestDatabases.teams(database);
        lookup.quotas = TestDatabases.quotas(database);
        return lookup;
    }

    public static SessionService sessions(Database database, GatewaySettings settings) {
        KeyLookup lookup = lookup(database, settings);
        SessionService sessions = new SessionService();
        sessions.settings = settings;
        sessions.sessions = TestDatabases.sessions(database);
        sessions.people = TestDatabases.people(database);
        sessions.keys = lookup.keys;
        sessions.lookup = lookup;
        sessions.throttle = new SignInThrottle();
        sessions.events = audit(database);
        sessions.database = database;
        return sessions;
    }
}
