package io.tokenrouter.management;

import static io.tokenrouter.testing.ApiClient.fields;
import static io.tokenrouter.testing.ApiClient.unique;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tokenrouter.testing.ApiClient;
import io.tokenrouter.testing.DeployedGateway;
import io.tokenrouter.testing.FromAddress;
import io.tokenrouter.testing.GatewayClient;
import java.io.ByteArrayOutputStream;
import java.net.URL;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.junit.jupiter.api.Test;

/**
 * The audit trail of the deployed gateway: changes, sign-ins, refused sign-ins and sign-outs name who and from
 * where; the JSON Lines export verifies on its own, by the README's recipe; the verify endpoint agrees; and only
 * admins read either.
 */
class AuditTrailIT extends DeployedGateway {

    /** A client address of its own, so the sign-in throttle of other tests' addresses is untouched. */
    private static final String FROM = "127.0.0.37";
    private static final ObjectMapper JSON = new ObjectMapper();

    @ArquillianResource
    URL deployment;

    private ApiClient admin() {
        return new ApiClient(deployment);
    }

    @Test
    void changesAndSignInsNameWhoAndWhereAndTheExportVerifiesOnItsOwn() throws Exception {
        Instant start = Instant.now().minusSeconds(1);
        JsonNode me = admin().getJson("api/me").path("key");
        String actor = me.path("name").asText() + " #" + me.path("id").asLong();
        FromAddress there = new FromAddress(deployment, FROM);
        String team = unique("audited");

        FromAddress.Answer created = there.post("api/teams", GatewayClient.ADMIN_KEY, ApiClient.json(fields("name", team)));
        FromAddress.Answer refused = there.post("api/session", null, ApiClient.json(fields("key", "tr-not-a-key-" + team)));
        FromAddress.Answer session = there.post("api/session", null, ApiClient.json(fields("key", GatewayClient.ADMIN_KEY)));
        String token = JSON.readTree(session.body()).path("token").asText();
        FromAddress.Answer signedOut = there.send("DELETE", "api/session", token, null);

        assertThat(created.status()).as(created.body()).isEqualTo(201);
        assertThat(refused.status()).isEqualTo(401);
        assertThat(session.status()).as(session.body()).isEqualTo(201);
        assertThat(signedOut.status()).as(signedOut.body()).isLessThan(300);
        long teamId = JSON.readTree(created.body()).path("id").asLong();

        HttpResponse<String> export = admin().get("api/audit?from=" + start);
        assertThat(export.statusCode()).as(export.body()).isEqualTo(200);
        assertThat(export.headers().firstValue("Content-Type").orElse("")).startsWith("application/x-ndjson");
        List<JsonNode> lines = new ArrayList<>();
        for (String line : export.body().split("\n")) {
            lines.add(JSON.readTree(line));
        }

        JsonNode change = only(lines, "change", "Created team '" + team + "' #" + teamId);
        assertThat(change.path("actor").asText()).isEqualTo(actor);
        assertThat(change.path("ip").asText()).isEqualTo(FROM);
        assertThat(change.path("outcome").asText()).isEqualTo("ok");
        JsonNode refusal = only(lines, "sign-in", "Refused sign-in from " + FROM);
        assertThat(refusal.path("outcome").asText()).isEqualTo("refused");
        assertThat(refusal.path("actor").isNull()).isTrue();
        assertThat(refusal.path("ip").asText()).isEqualTo(FROM);
        JsonNode signIn = only(lines, "sign-in", "Signed in as admin from " + FROM);
        assertThat(signIn.path("actor").asText()).isEqualTo(actor);
        assertThat(signIn.path("outcome").asText()).isEqualTo("ok");
        JsonNode signOut = lines.stream().filter(l -> l.path("action").asText().equals("sign-out")
                && l.path("seq").asLong() > signIn.path("seq").asLong()).findFirst().orElseThrow();
        assertThat(signOut.path("actor").asText()).isEqualTo(actor);
        assertThat(signOut.path("ip").asText()).isEqualTo(FROM);

        for (int i = 0; i < lines.size(); i++) {
            JsonNode line = lines.get(i);
            assertThat(line.path("hash").asText()).as("line %s by the README's recipe", i).isEqualTo(recipe(line));
            if (i > 0) {
                assertThat(line.path("seq").asLong()).isEqualTo(lines.get(i - 1).path("seq").asLong() + 1);
                assertThat(line.path("prev_hash").asText()).isEqualTo(lines.get(i - 1).path("hash").asText());
            }
        }

        JsonNode verified = admin().getJson("api/audit/verify");
        assertThat(verified.path("ok").asBoolean()).as(verified.toString()).isTrue();
        assertThat(verified.path("first_seq").asLong()).isEqualTo(1);
        assertThat(verified.path("last_seq").asLong()).isGreaterThanOrEqualTo(signOut.path("seq").asLong());
        assertThat(verified.path("head").path("seq").asLong()).isEqualTo(verified.path("last_seq").asLong());
        assertThat(verified.path("broken_at").isNull()).isTrue();
    }

    /** Only admins read the trail, and a refusal is itself an entry: the first of each key in a minute. */
    @Test
    void onlyAdminsReadTheTrailAndRefusalsAreInIt() throws Exception {
        Instant start = Instant.now().minusSeconds(1);
        ApiClient.Key keymaster = admin().createKey(fields("name", unique("audit-km"), "role", "keymaster"));
        ApiClient.Key inferrer = admin().createKey(fields("name", unique("audit-inf"), "role", "inferrer"));

        for (ApiClient.Key key : List.of(keymaster, inferrer)) {
            for (String path : List.of("api/audit", "api/audit/verify")) {
                HttpResponse<String> response = admin().as(key.secret()).get(path);
                assertThat(response.statusCode()).as(path).isEqualTo(403);
                assertThat(GatewayClient.error(response).path("code").asText()).isEqualTo("insufficient_permissions");
            }
        }
        assertThat(admin().as((String) null).get("api/audit").statusCode()).isEqualTo(401);

        List<JsonNode> refusals = new ArrayList<>();
        for (String line : admin().get("api/audit?from=" + start).body().split("\n")) {
            JsonNode entry = JSON.readTree(line);
            if (entry.path("action").asText().equals("access")) {
                refusals.add(entry);
            }
        }
        assertThat(refusals).extracting(e -> e.path("actor").asText() + ": " + e.path("detail").asText())
                .as("one a key, however many calls it made in the minute").containsExactly(
                        keymaster.name() + " #" + keymaster.id() + ": Refused GET /api/audit to a key of role keymaster (further"
                                + " refusals of this key in the next minute are not recorded)",
                        inferrer.name() + " #" + inferrer.id() + ": Refused GET /api/audit to a key of role inferrer (further"
                                + " refusals of this key in the next minute are not recorded)");
        assertThat(refusals).allSatisfy(e -> assertThat(e.path("outcome").asText()).isEqualTo("refused"));
    }

    @Test
    void aTimeThatIsNotAnInstantIsRefused() throws Exception {
        HttpResponse<String> response = admin().get("api/audit?from=yesterday");

        assertThat(response.statusCode()).isEqualTo(400);
        JsonNode error = GatewayClient.error(response);
        assertThat(error.path("param").asText()).isEqualTo("from");
        assertThat(error.path("message").asText()).contains("ISO-8601");
    }

    private static JsonNode only(List<JsonNode> lines, String action, String detailStart) {
        List<JsonNode> found = lines.stream().filter(l -> l.path("action").asText().equals(action)
                && l.path("detail").asText().startsWith(detailStart)).toList();
        assertThat(found).as("%s entries starting '%s'", action, detailStart).hasSize(1);
        return found.get(0);
    }

    /** The README's recipe: each field as its UTF-8 length, a colon, its bytes and a line feed; SHA-256 in hex. */
    private static String recipe(JsonNode line) throws Exception {
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        for (String name : List.of("prev_hash", "seq", "time", "actor", "ip", "action", "outcome", "detail")) {
            JsonNode field = line.path(name);
            byte[] bytes = (field.isNull() ? "" : field.asText()).getBytes(StandardCharsets.UTF_8);
            data.writeBytes((bytes.length + ":").getBytes(StandardCharsets.UTF_8));
            data.writeBytes(bytes);
            data.write('\n');
        }
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data.toByteArray()));
    }
}
