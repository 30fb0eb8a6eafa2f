package io.tokenrouter.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A change of one kind of configuration moves only that kind's version (issue 8: no route rebuild per key). */
class ConfigVersionTest {

    private final Database database = TestDatabases.h2();

    @AfterEach
    void close() {
        TestDatabases.close(database);
    }

    private long version(ConfigVersion.Kind kind) {
        return database.inTransaction(em -> ConfigVersion.read(em, kind));
    }

    @Test
    void keysAndTeamsDoNotMoveTheRoutingVersionButProvidersAndSettingsDo() {
        long routing = version(ConfigVersion.Kind.ROUTING);
        long access = version(ConfigVersion.Kind.ACCESS);

        Team team = new Team();
        team.setName("t");
        team.setCreatedAt(Instant.now());
        TestDatabases.teams(database).store(team);
        ApiKey key = new ApiKey();
        key.setName("k");
        key.setKeyHash("0".repeat(64));
        key.setDisplayPrefix("tr-0");
        key.setRole(Role.INFERRER);
        key.setCreatedAt(Instant.now());
        TestDatabases.keys(database).store(key);

        assertThat(version(ConfigVersion.Kind.ROUTING)).isEqualTo(routing);
        assertThat(version(ConfigVersion.Kind.ACCESS)).isEqualTo(access + 2);

        SettingRepository settings = new SettingRepository();
        settings.database = database;
        settings.store(Setting.DEFAULT_MODEL, "x/y");
        assertThat(settings.routingVersion()).isEqualTo(routing + 1);
        assertThat(version(ConfigVersion.Kind.ACCESS)).isEqualTo(access + 2);
    }

    @Test
    void nestedTransactionsJoinTheOuterOneAndRollBackWithIt() {
        long access = version(ConfigVersion.Kind.ACCESS);
        try {
            database.run(em -> {
                Team team = new Team();
                team.setName("rolled-back");
                team.setCreatedAt(Instant.now());
                TestDatabases.teams(database).store(team);
                throw new IllegalStateException("after the inner call");
            });
        } catch (IllegalStateException expected) {
            // the outer transaction rolls back
        }
        assertThat(TestDatabases.teams(database).findByName("rolled-back")).isEmpty();
        assertThat(version(ConfigVersion.Kind.ACCESS)).isEqualTo(access);
    }
}
