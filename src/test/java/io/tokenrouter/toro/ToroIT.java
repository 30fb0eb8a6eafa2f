package io.tokenrouter.toro;

import static io.tokenrouter.testing.ApiClient.fields;
import static io.tokenrouter.testing.ApiClient.unique;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import io.tokenrouter.testing.ApiClient;
import io.tokenrouter.testing.ApiClient.Key;
import io.tokenrouter.testing.DeployedGateway;
import io.tokenrouter.testing.GatewayClient;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The built {@code target/toro} launcher against the deployed gateway, as a user runs it: {@code connect}
 * stores the server and key privately; {@code wrap} runs a program that calls {@code /v1} with a
 * temporary key of its own, logged under that key's name, and the key is revoked after the program ends
 * well, fails, or toro is sent SIGTERM; the program's exit code is toro's; a temporary key lives no longer
 * than its TTL nor its parent, and cannot use more than its parent; each failure has its own exit code.
 */
class ToroIT extends DeployedGateway {

    private static final Path TORO = Path.of("target", "toro").toAbsolutePath();
    private static final Path CHILD = Path.of("src", "test", "resources", "toro", "CallGateway.java").toAbsolutePath();
    private static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();

    @ArquillianResource
    URL deployment;

    @TempDir
    Path home;

    private Key parent;

    /** One finished toro run. */
    record Run(int exitCode, String out, String err) {
        String value(String name) {
            return out.lines().filter(l -> l.startsWith(name + "=")).map(l -> l.substring(name.length() + 1))
                    .findFirst().orElseThrow(() -> new AssertionError("no " + name + " in: " + out + err));
        }
    }

    private ApiClient admin() {
        return new ApiClient(deployment);
    }

    private String server() {
        String url = deployment.toString();
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    @BeforeEach
    void keymaster() throws Exception {
        parent = admin().createKey(fields("name", unique("toro-parent"), "role", "keymaster"));
    }

    private ProcessBuilder toro(Map<String, String> extraEnv, String... args) {
        return launcher(home, extraEnv, args);
    }

    /** The built toro with these arguments, in a clean environment whose home is {@code home}, plus {@code extraEnv}. */
    static ProcessBuilder launcher(Path home, Map<String, String> extraEnv, String... args) {
        List<String> command = new ArrayList<>(List.of(TORO.toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command);
        Map<String, String> env = builder.environment();
        env.clear();
        env.put("PATH", "/usr/local/bin:/usr/bin:/bin");
        env.put("HOME", home.toString());
        env.put("JAVA_HOME", System.getProperty("java.home"));
        env.putAll(extraEnv);
        return builder;
    }

    private Run run(String stdin, Map<String, String> extraEnv, String... args) throws Exception {
        Process process = toro(extraEnv, args).start();
        CompletableFuture<String> out = read(process.getInputStream());
        CompletableFuture<String> err = read(process.getErrorStream());
        try (var in = process.getOutputStream()) {
            if (stdin != null) {
                in.write(stdin.getBytes(StandardCharsets.UTF_8));
            }
        }
        assertThat(process.waitFor(90, TimeUnit.SECONDS)).as("toro finished").isTrue();
        return new Run(process.exitValue(), out.get(10, TimeUnit.SECONDS), err.get(10, TimeUnit.SECONDS));
    }

    /** Runs toro with the parent key in the environment (as scripts do). */
    private Run withParent(String... args) throws Exception {
        return run(null, Map.of("TOKENROUTER_URL", server(), "TOKENROUTER_KEY", parent.secret()), args);
    }

    private static CompletableFuture<String> read(java.io.InputStream stream) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "";
            }
        });
    }

    /** The key named {@code name}, as the admin sees it. */
    private JsonNode keyNamed(String name) throws Exception {
        for (JsonNode key : admin().getJson("api/keys?limit=500").path("data")) {
            if (key.path("name").asText().equals(name)) {
                return key;
            }
        }
        throw new AssertionError("no key named " + name);
    }

    // ---------------------------------------------------------------- connect

    @Test
    void connectChecksTheKeyAndStoresItForTheOwnerOnly() throws Exception {
        Run run = run(parent.secret() + "\n", Map.of(), "connect", server() + "/v1/");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains("Connected to " + server(), "'" + parent.name() + "'", "keymaster");
        Path file = home.resolve(".config/tokenrouter/toro.toml");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent()))).isEqualTo("rwx------");
        JsonNode stored = new TomlMapper().readTree(file.toFile());
        assertThat(stored.path("url").asText()).isEqualTo(server());
        assertThat(stored.path("key").asText()).isEqualTo(parent.secret());
        assertThat(run.out() + run.err()).as("the key is never echoed").doesNotContain(parent.secret());

        Run status = run(null, Map.of(), "status");
        assertThat(status.exitCode()).as(status.err()).isZero();
        assertThat(status.out()).contains("Key:    '" + parent.name() + "'", "from " + file);
    }

    @Test
    void eachFailureHasItsOwnExitCodeAndOneLine() throws Exception {
        Run notConnected = run(null, Map.of(), "status");
        assertThat(notConnected.exitCode()).isEqualTo(78);
        assertThat(notConnected.err().strip()).startsWith("toro: not connected yet").doesNotContain("\n");

        Run wrongKey = run("tr-no-such-key-0123456789\n", Map.of(), "connect", server());
        assertThat(wrongKey.exitCode()).isEqualTo(77);
        assertThat(wrongKey.err().strip()).startsWith("toro: the key was refused").doesNotContain("\n");

        Key inferrer = admin().createKey(fields("name", unique("toro-inferrer")));
        Run tooWeak = run(inferrer.secret() + "\n", Map.of(), "connect", server());
        assertThat(tooWeak.exitCode()).isEqualTo(77);
        assertThat(tooWeak.err()).contains("inferrer key, which cannot create keys");
        assertThat(home.resolve(".config/tokenrouter/toro.toml")).doesNotExist();

        Run unreachable = run("x\n", Map.of(), "connect", "http://127.0.0.1:" + System.getProperty("it.closed.port", "1"));
        assertThat(unreachable.exitCode()).isEqualTo(69);
        assertThat(unreachable.err()).contains("cannot reach", "connection refused");

        String name = unique("toro-missing");
        Run missing = withParent("--name", name, "wrap", "--", "no-such-program-" + name);
        assertThat(missing.exitCode()).isEqualTo(127);
        assertThat(missing.err()).contains("command not found: no-such-program-");
        assertThat(admin().getJson("api/keys?limit=500").path("data").findValuesAsText("name"))
                .as("no key is made for a program that does not exist").doesNotContain(name);

        Run badTtl = withParent("--ttl", "soon", "wrap", "--", "true");
        assertThat(badTtl.exitCode()).isEqualTo(2);
        assertThat(badTtl.err()).contains("--ttl must be a duration");
    }

    // ---------------------------------------------------------------- wrap

    @Test
    void wrapRunsAProgramUnderATemporaryKeyLoggedUnderItsNameAndRevokedAfterwards() throws Exception {
        String name = unique("toro-run");
        Run run = withParent("--ttl", "1h", "--name", name, "wrap", "--", JAVA, CHILD.toString(), "0", "0");

        assertThat(run.exitCode()).as(run.out() + run.err()).isZero();
        assertThat(run.value("status")).isEqualTo("200");
        assertThat(run.value("parent-key-visible")).as("the parent key is not in the tool's environment").isEqualTo("false");
        assertThat(run.value("key-prefix")).isNotEqualTo(parent.secret().substring(0, 10));
        JsonNode row = new GatewayClient(deployment).usage(run.value("request-id"));
        assertThat(row.path("key_name").asText()).isEqualTo(name);

        JsonNode key = keyNamed(name);
        assertThat(key.path("parent_id").asLong()).isEqualTo(parent.id());
        assertThat(key.path("role").asText()).isEqualTo("inferrer");
        assertThat(key.path("temporary").asBoolean()).isTrue();
        assertThat(key.path("revoked_at").isTextual()).as("revoked after the program ended").isTrue();
        Duration lifetime = Duration.between(Instant.parse(key.path("created_at").asText()),
                Instant.parse(key.path("expires_at").asText()));
        assertThat(lifetime).isBetween(Duration.ofMinutes(59), Duration.ofMinutes(61));
        assertThat(run.err()).contains("temporary key '" + name + "' #" + key.path("id").asLong(),
                "revoked temporary key '" + name + "'");
    }

    @Test
    void theProgramsExitCodeIsToros() throws Exception {
        String name = unique("toro-fails");
        Run run = withParent("--name", name, "wrap", "--", "sh", "-c", "exit 7");

        assertThat(run.exitCode()).isEqualTo(7);
        assertThat(keyNamed(name).path("revoked_at").isTextual()).as("revoked after the program failed").isTrue();
    }

    @Test
    void sigtermToToroIsPassedToTheProgramAndTheKeyIsRevoked() throws Exception {
        String name = unique("toro-term");
        Process process = toro(Map.of("TOKENROUTER_URL", server(), "TOKENROUTER_KEY", parent.secret()),
                "--name", name, "wrap", "--", "sh", "-c", "echo started; trap 'echo got-term; kill $!; exit 3' TERM; sleep 60 & wait")
                .start();
        CompletableFuture<String> err = read(process.getErrorStream());
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        assertThat(out.readLine()).isEqualTo("started");
        assertThat(keyNamed(name).path("revoked_at").isTextual()).as("alive while the program runs").isFalse();

        // SIGTERM (Process.destroy would close the streams the test still reads)
        assertThat(new ProcessBuilder("sh", "-c", "kill -TERM " + process.pid()).start().waitFor()).isZero();

        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(out.readLine()).as("the program got the signal").isEqualTo("got-term");
        assertThat(process.exitValue()).as("the program's own exit code").isEqualTo(3);
        assertThat(err.get(10, TimeUnit.SECONDS)).contains("SIGTERM received; passing it on to sh", "revoked temporary key");
        assertThat(keyNamed(name).path("revoked_at").isTextual()).isTrue();
    }

    @Test
    void aTemporaryKeyDiesAtItsTtl() throws Exception {
        String name = unique("toro-ttl");
        Run run = withParent("--ttl", "2s", "--name", name, "wrap", "--", JAVA, CHILD.toString(), "3500", "0");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.value("status")).as("the key expired while the program ran").isEqualTo("401");
    }

    @Test
    void aTemporaryKeyCannotOutliveOrExceedItsParent() throws Exception {
        Key shortLived = admin().createKey(fields("name", unique("toro-short"), "role", "keymaster", "ttl", "1h",
                "allowed_models", List.of("mock/gpt-4o-mini")));
        Map<String, String> env = Map.of("TOKENROUTER_URL", server(), "TOKENROUTER_KEY", shortLived.secret());

        String name = unique("toro-capped");
        Run capped = run(null, env, "--ttl", "8h", "--name", name, "wrap", "--", "true");
        assertThat(capped.exitCode()).as(capped.err()).isZero();
        assertThat(capped.err()).contains("the parent key expires", "the temporary key expires with it");
        JsonNode key = keyNamed(name);
        assertThat(key.path("expires_at").asText()).isEqualTo(admin().getJson("api/keys/" + shortLived.id())
                .path("expires_at").asText());
        assertThat(key.path("allowed_models").toString()).contains("mock/gpt-4o-mini").doesNotContain("mock/gpt-4o\"");

        Run wider = run(null, env, "--model", "mock/gpt-4o", "wrap", "--", "true");
        assertThat(wider.exitCode()).isEqualTo(2);
        assertThat(wider.err()).contains("The parent key may not use [mock/gpt-4o]");
    }

    @Test
    void aTemporaryKeyGetsItsOwnQuotas() throws Exception {
        String name = unique("toro-quota");
        Run run = withParent("--name", name, "--requests", "1", "wrap", "--", "sh", "-c",
                "'" + JAVA + "' '" + CHILD + "' 0 0 && '" + JAVA + "' '" + CHILD + "' 0 0");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out().lines().filter(l -> l.startsWith("status=")).toList())
                .as(() -> "the key, its quotas and its requests as the gateway saw them: " + keyAndRequests(name))
                .containsExactly("status=200", "status=429");
    }

    /** The key named {@code name} with its quotas, and the log rows of its requests: what a failure needs explained. */
    private String keyAndRequests(String name) {
        try {
            JsonNode key = keyNamed(name);
            JsonNode quotas = admin().getJson("api/keys/" + key.path("id").asLong());
            JsonNode log = admin().getJson("api/logs?key_id=" + key.path("id").asLong() + "&limit=20");
            return quotas + " " + log;
        } catch (Exception e) {
            return "(could not be read: " + e + ")";
        }
    }

    @Test
    void keysStatusAndModelsShowWhatTheParentKeyHas() throws Exception {
        String name = unique("toro-listed");
        assertThat(withParent("--name", name, "wrap", "--", "true").exitCode()).isZero();

        Run keys = withParent("keys");
        assertThat(keys.exitCode()).as(keys.err()).isZero();
        assertThat(keys.out()).contains(name, "revoked", "inferrer*");

        Key child = admin().as(parent).createKey(fields("name", unique("toro-child"), "parent_id", parent.id()));
        Run revoke = withParent("keys", "revoke", String.valueOf(child.id()));
        assertThat(revoke.exitCode()).as(revoke.err()).isZero();
        assertThat(admin().getJson("api/keys/" + child.id()).path("revoked_at").isTextual()).isTrue();

        Run models = withParent("models");
        assertThat(models.exitCode()).as(models.err()).isZero();
        assertThat(models.out().lines().toList()).contains("mock/gpt-4o-mini");

        Run status = withParent("status");
        assertThat(status.exitCode()).as(status.err()).isZero();
        assertThat(status.out()).contains("'" + parent.name() + "'", "Limits:", "Last 24 h:");
    }

    @Test
    void codexAndOpencodeAreGivenTheGatewayAsTheirProviderWithoutTouchingTheirFiles() throws Exception {
        Path bin = Files.createDirectories(home.resolve("bin"));
        for (String tool : List.of("codex", "opencode")) {
            Path fake = bin.resolve(tool);
            Files.writeString(fake, "#!/bin/sh\nfor a in \"$@\"; do echo \"arg=$a\"; done\n"
                    + "echo \"key=${TOKENROUTER_API_KEY:-}\"\necho \"config=${OPENCODE_CONFIG_CONTENT:-}\"\n");
            fake.toFile().setExecutable(true);
        }
        Map<String, String> env = Map.of("TOKENROUTER_URL", server(), "TOKENROUTER_KEY", parent.secret(),
                "PATH", bin + ":/usr/bin:/bin");

        Run codex = run(null, env, "--model", "mock/gpt-4o-mini", "codex", "exec", "--json", "say hi");
        assertThat(codex.exitCode()).as(codex.err()).isZero();
        assertThat(codex.out().lines().filter(l -> l.startsWith("arg=")).toList()).containsExactly(
                "arg=-c", "arg=model_provider=\"tokenrouter\"", "arg=-c", "arg=model_providers.tokenrouter.name=\"TokenRouter\"",
                "arg=-c", "arg=model_providers.tokenrouter.base_url=\"" + server() + "/v1\"",
                "arg=-c", "arg=model_providers.tokenrouter.env_key=\"TOKENROUTER_API_KEY\"",
                "arg=-c", "arg=model_providers.tokenrouter.wire_api=\"responses\"",
                "arg=-c", "arg=model=\"mock/gpt-4o-mini\"", "arg=exec", "arg=--json", "arg=say hi");
        assertThat(codex.value("key")).startsWith("tr-").isNotEqualTo(parent.secret());

        Run opencode = run(null, env, "--model", "mock/gpt-4o-mini", "opencode", "run", "say hi");
        assertThat(opencode.exitCode()).as(opencode.err()).isZero();
        JsonNode config = GatewayClient.json(opencode.value("config"));
        JsonNode provider = config.path("provider").path("tokenrouter");
        assertThat(provider.path("options").path("baseURL").asText()).isEqualTo(server() + "/v1");
        String temporary = provider.path("options").path("apiKey").asText();
        assertThat(temporary).startsWith("tr-").isNotEqualTo(parent.secret());
        assertThat(provider.path("models").fieldNames()).toIterable().containsExactly("mock/gpt-4o-mini");
        assertThat(config.path("model").asText()).isEqualTo("tokenrouter/mock/gpt-4o-mini");
        assertThat(new ApiClient(deployment).as(temporary).get("v1/models").statusCode())
                .as("the key opencode was given is revoked").isEqualTo(401);
        assertThat(home.resolve(".codex")).doesNotExist();
        assertThat(home.resolve(".config/opencode")).doesNotExist();
    }

    @Test
    void claudeCodeIsGivenTheGatewayAndTheKeyInItsEnvironmentOnly() throws Exception {
        Path bin = Files.createDirectories(home.resolve("bin"));
        Path fake = bin.resolve("claude");
        // as Claude Code does: its token as a bearer key, its model, to ANTHROPIC_BASE_URL/v1/messages
        Files.writeString(fake, "#!/bin/sh\nfor a in \"$@\"; do echo \"arg=$a\"; done\n"
                + "for v in ANTHROPIC_BASE_URL ANTHROPIC_AUTH_TOKEN ANTHROPIC_API_KEY ANTHROPIC_MODEL"
                + " ANTHROPIC_SMALL_FAST_MODEL ANTHROPIC_DEFAULT_HAIKU_MODEL CLAUDE_CODE_USE_BEDROCK TOKENROUTER_KEY; do\n"
                + "  eval \"echo $v=\\${$v:-}\"\ndone\n"
                + "echo \"answer=$(curl -s -H \"Authorization: Bearer $ANTHROPIC_AUTH_TOKEN\" -H 'anthropic-version: 2023-06-01'"
                + " -H 'content-type: application/json' -d \"{\\\"model\\\":\\\"$ANTHROPIC_MODEL\\\",\\\"max_tokens\\\":50,"
                + "\\\"messages\\\":[{\\\"role\\\":\\\"user\\\",\\\"content\\\":\\\"hi\\\"}]}\" \"$ANTHROPIC_BASE_URL/v1/messages\")\"\n");
        fake.toFile().setExecutable(true);
        Map<String, String> env = Map.of("TOKENROUTER_URL", server(), "TOKENROUTER_KEY", parent.secret(),
                "PATH", bin + ":/usr/bin:/bin", "HOME", home.toString(), "ANTHROPIC_API_KEY", "sk-ant-users-own",
                "CLAUDE_CODE_USE_BEDROCK", "1");

        Run claude = run(null, env, "--model", "mock/gpt-4o-mini", "claude", "-p", "say hi", "--output-format", "json");

        assertThat(claude.exitCode()).as(claude.err()).isZero();
        assertThat(claude.out().lines().filter(l -> l.startsWith("arg=")).toList())
                .containsExactly("arg=-p", "arg=say hi", "arg=--output-format", "arg=json");
        assertThat(claude.value("ANTHROPIC_BASE_URL")).isEqualTo(server());
        String temporary = claude.value("ANTHROPIC_AUTH_TOKEN");
        assertThat(temporary).startsWith("tr-").isNotEqualTo(parent.secret());
        assertThat(claude.value("ANTHROPIC_API_KEY")).as("the user's own Anthropic key is not passed on").isEmpty();
        assertThat(claude.value("CLAUDE_CODE_USE_BEDROCK")).isEmpty();
        assertThat(claude.value("TOKENROUTER_KEY")).as("the parent key is not in the tool's environment").isEmpty();
        assertThat(claude.value("ANTHROPIC_MODEL")).isEqualTo("mock/gpt-4o-mini");
        assertThat(claude.value("ANTHROPIC_SMALL_FAST_MODEL")).isEqualTo("mock/gpt-4o-mini");
        assertThat(claude.value("ANTHROPIC_DEFAULT_HAIKU_MODEL")).isEqualTo("mock/gpt-4o-mini");
        assertThat(claude.value("answer")).as("its request through /v1/messages, answered as Anthropic answers")
                .contains("\"type\":\"message\"", "Hello!");
        assertThat(claude.err()).contains("temporary key", "for claude", "revoked temporary key");
        assertThat(new ApiClient(deployment).as(temporary).get("v1/models").statusCode())
                .as("the key Claude Code was given is revoked").isEqualTo(401);
        assertThat(home.resolve(".claude")).doesNotExist();
        assertThat(home.resolve(".claude.json")).doesNotExist();
    }
}
