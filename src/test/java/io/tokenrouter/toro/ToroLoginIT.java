package io.tokenrouter.toro;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.tokenrouter.testing.ApiClient;
import io.tokenrouter.testing.DeployedGateway;
import io.tokenrouter.testing.FromAddress;
import io.tokenrouter.testing.GatewayClient;
import io.tokenrouter.testing.OidcExtension;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code toro login} with the built launcher against the deployed gateway and the test's identity provider: the
 * device authorization grant, the person confirming the code (with their groups), a keymaster key of their own
 * beneath {@code sso.cli_parent_key} stored for later runs, the previous one revoked at the next login; a person
 * without a role or a declined code gets nothing.
 */
@ExtendWith(OidcExtension.class)
class ToroLoginIT extends DeployedGateway {

    private static final Pattern CODE = Pattern.compile("enter the code (\\S+)");

    @ArquillianResource
    URL deployment;

    @TempDir
    Path home;

    private String server() {
        String url = deployment.toString();
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    /** A running {@code toro login}: its output lines as they come, and its end. */
    private record Login(Process process, BlockingQueue<String> lines, CompletableFuture<String> err) {

        /** The user code toro shows, read from its output. */
        String userCode() throws InterruptedException {
            List<String> seen = new ArrayList<>();
            while (true) {
                String line = lines.poll(30, TimeUnit.SECONDS);
                assertThat(line).as("toro showed a code; it printed %s", seen).isNotNull();
                seen.add(line);
                Matcher m = CODE.matcher(line);
                if (m.find()) {
                    return m.group(1);
                }
            }
        }

        /** Waits for toro to end; its exit code, with what it printed after the code. */
        int end(List<String> printed) throws Exception {
            assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("toro login finished").isTrue();
            Thread.onSpinWait();
            String line;
            while ((line = lines.poll(2, TimeUnit.SECONDS)) != null) {
                printed.add(line);
            }
            printed.add(err.get(10, TimeUnit.SECONDS));
            return process.exitValue();
        }
    }

    /** The built toro with these arguments, in a clean environment whose home is the test's. */
    private ProcessBuilder toro(String... args) {
        return ToroIT.launcher(home, Map.of(), args);
    }

    private Login login() throws Exception {
        Process process = toro("login", server()).start();
        process.getOutputStream().close();
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    lines.add(line);
                }
            } catch (java.io.IOException e) {
                lines.add("(output ended: " + e + ")");
            }
        });
        reader.setDaemon(true);
        reader.start();
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> {
            try {
                return new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            } catch (java.io.IOException e) {
                return e.toString();
            }
        });
        return new Login(process, lines, err);
    }

    private Path stored() {
        return home.resolve(".config").resolve("tokenrouter").resolve("toro.toml");
    }

    private String storedKey() throws Exception {
        return new com.fasterxml.jackson.dataformat.toml.TomlMapper().readTree(stored().toFile()).path("key").asText();
    }

    @Test
    void aPersonSignsInOnTheCommandLineAndGetsAKeyOfTheirOwn() throws Exception {
        String subject = unique("dev");
        String email = subject + "@example.com";
        Login first = login();
        OidcExtension.approve(first.userCode(), subject, Map.of("email", email, "groups", List.of("tr-leads")));
        List<String> printed = new ArrayList<>();
        assertThat(first.end(printed)).as(String.join("\n", printed)).isZero();
        assertThat(String.join("\n", printed)).contains("Signed in as " + email + " (keymaster)")
                .contains("is a keymaster key beneath 'bootstrap-admin'");
        assertThat(Files.getPosixFilePermissions(stored())).hasSize(2);
        String key = storedKey();
        assertThat(key).startsWith("tr-");

        JsonNode me = GatewayClient.json(new ApiClient(deployment).as(key).get("api/me").body());
        assertThat(me.path("role").asText()).isEqualTo("keymaster");
        assertThat(me.path("key").path("name").asText()).isEqualTo("toro: " + email);
        assertThat(me.path("effective_expires_at").asText()).as("sso.cli_key_ttl bounds it").isNotEqualTo("null");
        assertThat(new ApiClient(deployment).as(key).get("v1/models").statusCode()).isEqualTo(200);
        // and toro runs tools under it as after toro connect: a temporary key beneath it for the program's run
        Process wrap = toro("--ttl", "10m", "wrap", "--", "sh", "-c", "test -n \"$OPENAI_API_KEY\"").start();
        assertThat(wrap.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(wrap.exitValue()).as(new String(wrap.getErrorStream().readAllBytes(), StandardCharsets.UTF_8))
                .isZero();

        // a second login replaces the first key, which stops working
        Login second = login();
        OidcExtension.approve(second.userCode(), subject, Map.of("email", email, "groups", List.of("tr-admins")));
        printed.clear();
        assertThat(second.end(printed)).as(String.join("\n", printed)).isZero();
        assertThat(String.join("\n", printed)).as("admins get a keymaster key too").contains("(admin)")
                .contains("is a keymaster key");
        String replacement = storedKey();
        assertThat(replacement).isNotEqualTo(key);
        assertThat(new ApiClient(deployment).as(key).get("api/me").statusCode()).isEqualTo(401);
        assertThat(new ApiClient(deployment).as(replacement).get("api/me").statusCode()).isEqualTo(200);

        // disabling the person revokes it too
        ApiClient admin = new ApiClient(deployment);
        JsonNode people = GatewayClient.json(admin.get("api/people").body());
        long id = -1;
        for (JsonNode p : people) {
            if (p.path("subject").asText().equals(subject)) {
                id = p.path("id").asLong();
            }
        }
        assertThat(admin.post("api/people/" + id + "/disable", "{}").statusCode()).isEqualTo(200);
        assertThat(new ApiClient(deployment).as(replacement).get("api/me").statusCode()).isEqualTo(401);
        String trail = admin.get("api/audit").body();
        assertThat(trail).contains("Signed in with toro login").contains("the previous toro login key")
                .contains("the toro login key of " + email);
    }

    @Test
    void aPersonWithoutARoleOrADeclinedCodeGetsNoKey() throws Exception {
        Login noRole = login();
        OidcExtension.approve(noRole.userCode(), unique("guest"), Map.of("groups", List.of("staff")));
        List<String> printed = new ArrayList<>();
        assertThat(noRole.end(printed)).as(String.join("\n", printed)).isEqualTo(77);
        assertThat(String.join("\n", printed)).contains("has no role in this gateway");

        Login declined = login();
        OidcExtension.deny(declined.userCode());
        printed.clear();
        assertThat(declined.end(printed)).as(String.join("\n", printed)).isEqualTo(77);
        assertThat(String.join("\n", printed)).contains("declined");
        assertThat(stored()).doesNotExist();

        // a device code nobody was given is refused, and so is a missing one; an address that keeps polling with
        // made-up codes is refused without the provider being asked
        FromAddress anyone = new FromAddress(deployment, "127.0.0.77");
        assertThat(anyone.post("api/sso/device/token", null, "{}").status()).isEqualTo(400);
        for (int i = 0; i < 10; i++) {
            FromAddress.Answer refused = anyone.post("api/sso/device/token", null,
                    "{\"device_code\":\"" + UUID.randomUUID() + "\"}");
            assertThat(refused.status()).as(refused.body()).isEqualTo(403);
            assertThat(refused.body()).contains("expired_token");
        }
        FromAddress.Answer flooded = anyone.post("api/sso/device/token", null,
                "{\"device_code\":\"" + UUID.randomUUID() + "\"}");
        assertThat(flooded.status()).as(flooded.body()).isEqualTo(429);
        assertThat(flooded.headers()).containsKey("retry-after");
    }

    private static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }
}
