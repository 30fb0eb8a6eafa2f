package io.tokenrouter.quota;

import io.tokenrouter.testing.StandaloneGateway;
import io.tokenrouter.testing.UpstreamExtension;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@link SpendControlChecks} against the WAR in a Tomcat of its own on a real PostgreSQL. */
@ExtendWith(UpstreamExtension.class)
class SpendControlPostgresIT extends SpendControlChecks {

    private static final String ADMIN_KEY = "tr-spend-pg-admin-key-0123456789abcdef";
    private static EmbeddedPostgres postgres;
    private static StandaloneGateway gateway;

    @BeforeAll
    static void start() throws Exception {
        postgres = EmbeddedPostgres.builder().setPGStartupWait(Duration.ofSeconds(60)).start();
        gateway = new StandaloneGateway("spend-postgres", """
                admin_key = "%s"
                database_url = "%s"
                route_refresh_interval = "1s"
                model_refresh_interval = "1h"
                max_body_bytes = 65536
                read_timeout = "5s"

                [[providers]]
                name = "mock"
                base_url = "http://127.0.0.1:%d/v1"
                api_key = "sk-upstream-secret"
                """.formatted(ADMIN_KEY, postgres.getJdbcUrl("postgres", "postgres"), UpstreamExtension.upstream().port()));
    }

    @AfterAll
    static void stop() throws Exception {
        if (gateway != null) {
            gateway.close();
        }
        if (postgres != null) {
            postgres.close();
        }
    }

    @Override
    URI gateway() {
        return URI.create(gateway.url());
    }

    @Override
    String adminKey() {
        return ADMIN_KEY;
    }
}
