package io.tokenrouter.toro;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.PrintWriter;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** toro's pieces that need no server: URLs, where the connection is kept, finding programs, opencode's config. */
class ToroTest {

    @TempDir
    Path dir;

    @Test
    void aServerUrlIsCutToItsRootAndMustBeHttp() {
        assertThat(Connection.normalise(" https://gw.example.com/v1/ ")).isEqualTo("https://gw.example.com");
        assertThat(Connection.normalise("http://127.0.0.1:8080/tokenrouter/api")).isEqualTo("http://127.0.0.1:8080/tokenrouter");
        assertThatThrownBy(() -> Connection.normalise("gw.example.com")).isInstanceOf(ToroException.class)
                .hasMessageContaining("not an http(s) URL");
        assertThatThrownBy(() -> Connection.normalise("ftp://gw.example.com")).isInstanceOf(ToroException.class);
    }

    @Test
    void theEnvironmentWinsOverTheStoredFileAndNothingIsNotConnected() throws Exception {
        Map<String, String> env = Map.of("HOME", dir.toString());
        assertThat(Connection.file(env)).isEqualTo(dir.resolve(".config/tokenrouter/toro.toml"));
        assertThat(Connection.file(Map.of("HOME", "/x", "XDG_CONFIG_HOME", dir.toString())))
                .isEqualTo(dir.resolve("tokenrouter/toro.toml"));
        assertThatThrownBy(() -> Connection.load(env)).isInstanceOf(ToroException.class)
                .satisfies(e -> assertThat(((ToroException) e).exitCode()).isEqualTo(ToroException.NOT_CONNECTED));

        new Connection("https://stored.example.com", "tr-stored", "test").store(Connection.file(env));
        assertThat(Connection.load(env)).isEqualTo(new Connection("https://stored.example.com", "tr-stored",
                Connection.file(env).toString()));
        assertThat(Connection.load(Map.of("HOME", dir.toString(), "TOKENROUTER_KEY", "tr-env")).key()).isEqualTo("tr-env");
        assertThat(Connection.load(Map.of("HOME", "/nonexistent", "TOKENROUTER_URL", "http://e:1/v1",
                "TOKENROUTER_KEY", "tr-env"))).isEqualTo(new Connection("http://e:1", "tr-env", "the environment"));
    }

    @Test
    void programsAreFoundLikeTheShellFindsThem() throws Exception {
        Path tool = Files.createFile(dir.resolve("tool"));
        assertThatThrownBy(() -> Launch.resolve("tool", dir.toString())).isInstanceOf(ToroException.class)
                .satisfies(e -> assertThat(((ToroException) e).exitCode()).isEqualTo(127));
        assertThatThrownBy(() -> Launch.resolve(tool.toString(), "")).isInstanceOf(ToroException.class)
                .satisfies(e -> assertThat(((ToroException) e).exitCode()).isEqualTo(126));
        tool.toFile().setExecutable(true);
        assertThat(Launch.resolve("tool", "/nonexistent:" + dir)).isEqualTo(tool);
        assertThatThrownBy(() -> Launch.resolve("codex", dir.toString())).hasMessageContaining("npm install -g @openai/codex");
    }

    @Test
    void opencodeGetsAProviderForTheGatewayMergedOverItsOwnInlineConfig() throws Exception {
        JsonNode config = Gateway.JSON.readTree(Launch.opencodeConfig("{\"theme\":\"dark\",\"provider\":{\"other\":{}}}",
                "http://gw/v1", "tr-temp", List.of("openai/gpt-4o", "smart")));

        assertThat(config.path("theme").asText()).isEqualTo("dark");
        assertThat(config.path("provider").has("other")).isTrue();
        JsonNode provider = config.path("provider").path("tokenrouter");
        assertThat(provider.path("npm").asText()).isEqualTo("@ai-sdk/openai-compatible");
        assertThat(provider.path("options").path("baseURL").asText()).isEqualTo("http://gw/v1");
        assertThat(provider.path("options").path("apiKey").asText()).isEqualTo("tr-temp");
        assertThat(provider.path("models").has("smart")).isTrue();
        assertThat(config.path("model").asText()).isEqualTo("tokenrouter/openai/gpt-4o");
    }

    @Test
    void noCommandShowsTheUsageAndHelpSucceeds() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int noCommand = Toro.run(new String[0], Map.of(), new PrintWriter(out, true), new PrintWriter(err, true),
                new BufferedReader(new StringReader("")));
        assertThat(noCommand).isEqualTo(2);
        assertThat(err.toString()).contains("Usage: toro", "wrap", "Exit codes");

        int help = Toro.run(new String[] {"wrap", "--help"}, Map.of(), new PrintWriter(out, true), new PrintWriter(err, true),
                new BufferedReader(new StringReader("")));
        assertThat(help).isZero();
        assertThat(out.toString()).contains("--url-env", "OPENAI_BASE_URL");
    }
}
