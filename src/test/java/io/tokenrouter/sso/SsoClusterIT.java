package io.tokenrouter.sso;

import static org.assertj.core.api.Assertions.assertThat;

import io.tokenrouter.testing.OidcExtension;
import io.tokenrouter.testing.StandaloneGateway;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Single sign-on across a cluster: two gateways on one PostgreSQL. A sign-in started on one node is finished by the
 * other (the provider may send the browser back to either), exactly once; the session it opens is valid on both.
 */
@ExtendWith(OidcExtension.class)
class SsoClusterIT {

    private static final String ADMIN_KEY = "tr-sso-cluster-admin-key-0123456789";
    private static EmbeddedPostgres postgres;
    private static StandaloneGateway first;
    private static StandaloneGateway second;
    private final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

    @BeforeAll
    static void start() throws Exception {
        OidcExtension.server();
        postgres = EmbeddedPostgres.builder().setPGStartupWait(Duration.ofSeconds(60)).start();
        String toml = """
                admin_key = "%s"
                database_url = "%s"
                secret_key = "one secret for every node of the cluster"

                [sso]
                issuer = "%s"
                client_id = "%s"
                client_secret = "cluster-secret"
                admin_groups = ["tr-admins"]
                """.formatted(ADMIN_KEY, postgres.getJdbcUrl("postgres", "postgres"), OidcExtension.issuer(),
                OidcExtension.CLIENT_ID);
        first = new StandaloneGateway("sso-cluster-a", toml);
        second = new StandaloneGateway("sso-cluster-b", toml);
    }

    @AfterAll
    static void stop() throws Exception {
        for (AutoCloseable c : new AutoCloseable[] {first, second, postgres}) {
            if (c != null) {
                c.close();
            }
        }
    }

    @Test
    void aSignInStartedOnOneNodeIsFinishedOnceByTheOtherAndHoldsOnBoth() throws Exception {
        HttpResponse<String> started = http.send(HttpRequest.newBuilder(URI.create(first.url() + "admin/sso/start"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(started.statusCode()).as(started.body()).isEqualTo(302);
        String binding = OidcExtension.cookie(started, "tr_sso");
        URI authorize = URI.create(started.headers().firstValue("Location").orElseThrow());
        String form = "username=" + "cluster-person&claims=" + URLEncoder.encode(
                "{\"email\":\"cluster@example.com\",\"groups\":[\"tr-admins\"]}", StandardCharsets.UTF_8);
        HttpResponse<String> approved = http.send(HttpRequest.newBuilder(authorize)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
        String query = URI.create(approved.headers().firstValue("Location").orElseThrow()).getRawQuery();
        assertThat(OidcExtension.query(query)).containsKeys("code", "state");

        // the provider sends the browser back to the other node, which finishes the sign-in
        HttpResponse<String> finished = callback(second, query, binding);
        String console = OidcExtension.cookie(finished, "tr_console");
        assertThat(console).as(finished.body()).startsWith("trs_");

        // the same answer on the first node signs nobody in: the sign-in was taken
        HttpResponse<String> replayed = callback(first, query, binding);
        assertThat(OidcExtension.cookie(replayed, "tr_console")).isNull();
        assertThat(replayed.body()).contains("sso=invalid_state");

        // the session holds on both nodes
        for (StandaloneGateway node : new StandaloneGateway[] {first, second}) {
            HttpResponse<String> page = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL).build()
                    .send(HttpRequest.newBuilder(URI.create(node.url() + "admin/index.xhtml"))
                            .header("Cookie", "tr_console=" + console).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(page.body()).as(node.url()).contains("cluster@example.com").contains("tr-role\">admin<");
        }
    }

    private HttpResponse<String> callback(StandaloneGateway node, String query, String binding) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(node.url() + "admin/sso/callback?" + query))
                .header("Cookie", "tr_sso=" + binding).build(), HttpResponse.BodyHandlers.ofString());
    }


}
