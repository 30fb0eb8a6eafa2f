package io.tokenrouter.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class GatewaySettingsTest {

    @TempDir
    Path home;

    private final Map<String, String> properties = new HashMap<>();
    private final Map<String, String> environment = new HashMap<>();

    private void toml(String text) {
        try {
            Files.writeString(home.resolve(GatewaySettings.TOML_FILE), text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private GatewaySettings load() {
        properties.put("tokenrouter.home", home.toString());
        return GatewaySettings.load(properties, environment);
    }

    @Test
    void usesDefaultsWithoutAnyConfiguration() {
        GatewaySettings settings = load();

        assertThat(settings.home()).isEqualTo(home);
        assertThat(settings.databaseUrl()).isEmpty();
        assertThat(settings.adminKey()).isEmpty();
        assertThat(settings.secretKey()).isEmpty();
        assertThat(settings.defaultModel()).isEmpty();
        assertThat(settings.allowedModels()).isEmpty();
        assertThat(settings.providers()).isEmpty();
        assertThat(settings.aliases()).isEmpty();
        assertThat(settings.maxBodyBytes()).isEqualTo(32L * 1024 * 1024);
        assertThat(settings.connectTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(settings.readTimeout()).isEqualTo(Duration.ofSeconds(300));
        assertThat(settings.keyCacheTtl()).isEqualTo(Duration.ofSeconds(5));
        assertThat(settings.routeRefreshInterval()).isEqualTo(Duration.ofSeconds(5));
        assertThat(settings.modelRefreshInterval()).isEqualTo(Duration.ofMinutes(30));
    }

    @Test
    void findsHomeInTheEnvironmentWhenNoPropertyNamesIt() {
        toml("default_model = \"from-env-home\"\n");
        environment.put("TOKENROUTER_HOME", home.toString());

        GatewaySettings settings = GatewaySettings.load(Map.of(), environment);

        assertThat(settings.home()).isEqualTo(home);
        assertThat(settings.defaultModel()).contains("from-env-home");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            system property wins over everything | true  | true  | true  | true  | property
            then TOKENROUTER_ variable           | false | true  | true  | true  | tr-env
            then the seed's variable             | false | false | true  | true  | seed-env
            then the TOML file                   | false | false | false | true  | toml
            """)
    void readsEachSettingFromTheFirstSourceThatHasIt(String description, boolean property, boolean trEnv,
                                                     boolean seedEnv, boolean file, String expected) {
        if (property) {
            properties.put("tokenrouter.default_model", "property");
        }
        if (trEnv) {
            environment.put("TOKENROUTER_DEFAULT_MODEL", "tr-env");
        }
        if (seedEnv) {
            environment.put("DEFAULT_MODEL", "seed-env");
        }
        if (file) {
            toml("default_model = \"toml\"\n");
        }

        assertThat(load().defaultModel()).contains(expected);
    }

    @Test
    void skipsBlankValuesAndTrimsOthers() {
        properties.put("tokenrouter.default_model", "   ");
        environment.put("TOKENROUTER_DEFAULT_MODEL", "");
        environment.put("DEFAULT_MODEL", "  openai/gpt-4o  ");

        assertThat(load().defaultModel()).contains("openai/gpt-4o");
    }

    @Test
    void acceptsTheSeedsVariableNames() {
        environment.put("DEFAULT_MODEL", "smart");
        environment.put("ALLOWED_MODELS", "openai/gpt-4o, smart ,,groq/llama");
        environment.put("ADMIN_PASSWORD", "hunter2");
        environment.put("DATABASE_URL", "postgres://u:p@db:5432/tr");

        GatewaySettings settings = load();

        assertThat(settings.defaultModel()).contains("smart");
        assertThat(settings.allowedModels()).containsExactly("openai/gpt-4o", "smart", "groq/llama");
        assertThat(settings.adminPassword()).contains("hunter2");
        assertThat(settings.databaseUrl()).contains("postgres://u:p@db:5432/tr");
    }

    @Test
    void acceptsSeedNamesOnlyForTheSeedsSettings() {
        environment.put("ADMIN_KEY", "an-admin-key-long-enough");
        environment.put("SECRET_KEY", "some-secret");

        GatewaySettings settings = load();

        assertThat(settings.adminKey()).isEmpty();
        assertThat(settings.secretKey()).isEmpty();
    }

    @Test
    void readsTheAllowListAsATomlArray() {
        toml("allowed_models = [\"openai/gpt-4o\", \" smart \", \"\"]\n");

        assertThat(load().allowedModels()).containsExactly("openai/gpt-4o", "smart");
    }

    @Test
    void prefersAnAllowListFromTheEnvironmentOverTheToml() {
        toml("allowed_models = [\"openai/gpt-4o\"]\n");
        environment.put("TOKENROUTER_ALLOWED_MODELS", "groq/llama,smart");

        assertThat(load().allowedModels()).containsExactly("groq/llama", "smart");
    }

    @Test
    void seedsAProviderNamedDefaultFromTheSeedVariables() {
        environment.put("PROVIDER_BASE_URL", "https://api.example.com/v1");
        environment.put("PROVIDER_API_KEY", "sk-seed");

        assertThat(load().providers()).containsExactly(
                new ProviderSettings("default", null, "https://api.example.com/v1", "sk-seed", true, null, null));
    }

    @Test
    void seedsTheDefaultProviderWithThePoePresetWhenOnlyAKeyIsGiven() {
        environment.put("PROVIDER_API_KEY", "sk-seed");

        assertThat(load().providers()).containsExactly(
                new ProviderSettings("default", "poe", null, "sk-seed", true, null, null));
    }

    @Test
    void ignoresTheSeedProviderWhenTheTomlDefinesProviders() {
        environment.put("PROVIDER_BASE_URL", "https://api.example.com/v1");
        environment.put("PROVIDER_API_KEY", "sk-seed");
        toml("""
                [[providers]]
                name = "openai"
                preset = "openai"
                """);

        assertThat(load().providers()).extracting(ProviderSettings::name).containsExactly("openai");
    }

    @Test
    void readsProvidersAndAliasesFromToml() {
        toml("""
                active_model_profile = "primary"

                [[providers]]
                name = "openai"
                preset = "openai"
                api_key = "sk-1"

                [[providers]]
                name = "local"
                base_url = " http://127.0.0.1:11434/v1 "
                enabled = false
                connect_timeout = "2s"
                read_timeout = "10m"

                [[model_aliases]]
                name = "smart"

                  [[model_aliases.targets]]
                  profile = "primary"
                  provider = "openai"
                  model = "gpt-4o"

                  [[model_aliases.targets]]
                  profile = "primary"
                  provider = "local"
                  model = "llama3"
                  order = 2
                  weight = 5

                  [[model_aliases.targets]]
                  profile = "offline"
                  provider = "local"
                  model = "llama3"
                """);

        GatewaySettings settings = load();

        assertThat(settings.activeModelProfile()).contains("primary");
        assertThat(settings.providers()).containsExactly(
                new ProviderSettings("openai", "openai", null, "sk-1", true, null, null),
                new ProviderSettings("local", null, "http://127.0.0.1:11434/v1", null, false,
                        Duration.ofSeconds(2), Duration.ofMinutes(10)));
        assertThat(settings.aliases()).containsExactly(new AliasSettings("smart", List.of(
                new AliasSettings.Target("primary", "openai", "gpt-4o"),
                new AliasSettings.Target("primary", "local", "llama3", 2, 5),
                new AliasSettings.Target("offline", "local", "llama3"))));
    }

    @Test
    void theSampleConfigurationIsValid() throws IOException {
        toml(Files.readString(java.nio.file.Path.of("config-samples", "tokenrouter.toml")));

        GatewaySettings settings = load();

        assertThat(settings.providers()).extracting(ProviderSettings::name).contains("openai", "groq", "ollama");
        assertThat(settings.providers().stream().filter(p -> p.name().equals("groq")).findFirst().orElseThrow().apiKeys())
                .hasSize(2);
        assertThat(settings.providers()).filteredOn(p -> p.name().equals("gemini")).singleElement()
                .satisfies(p -> assertThat(p.forwardUnlistedModels()).isTrue());
        assertThat(settings.providers()).filteredOn(p -> p.name().equals("openai")).singleElement()
                .satisfies(p -> assertThat(p.forwardUnlistedModels()).as("the preset's default").isNull());
        assertThat(settings.aliases()).filteredOn(a -> a.name().equals("fast")).singleElement()
                .satisfies(a -> assertThat(a.targets()).extracting(AliasSettings.Target::order).containsExactly(null, null, 2));
    }

    @Test
    void aProviderMayHoldAPoolOfKeysWithWeights() {
        toml("""
                [[providers]]
                name = "openai"
                preset = "openai"
                api_keys = ["sk-a", {key = "sk-b", weight = 3}]
                """);

        assertThat(load().providers().get(0).apiKeys()).containsExactly(new ProviderSettings.PoolKey("sk-a", 1),
                new ProviderSettings.PoolKey("sk-b", 3));
        assertThat(load().providers().get(0).apiKeys().toString()).as("never printed").doesNotContain("sk-a");
    }

    @Test
    void readsDurationsAndNumbersFromEverySource() {
        toml("""
                read_timeout = "2m"
                connect_timeout = 3
                max_body_bytes = 65536
                """);
        environment.put("TOKENROUTER_KEY_CACHE_TTL", "500ms");
        properties.put("tokenrouter.route_refresh_interval", "1h");
        properties.put("tokenrouter.model_refresh_interval", "7d");

        GatewaySettings settings = load();

        assertThat(settings.readTimeout()).isEqualTo(Duration.ofMinutes(2));
        assertThat(settings.connectTimeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(settings.maxBodyBytes()).isEqualTo(65536);
        assertThat(settings.keyCacheTtl()).isEqualTo(Duration.ofMillis(500));
        assertThat(settings.routeRefreshInterval()).isEqualTo(Duration.ofHours(1));
        assertThat(settings.modelRefreshInterval()).isEqualTo(Duration.ofDays(7));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            bad duration               | read_timeout = 'soon'                                               | read_timeout
            bad provider duration      | [[providers]]\\nname = 'p'\\npreset = 'openai'\\nread_timeout = 'fast' | read_timeout
            short admin key            | admin_key = 'too-short-key'                                         | admin_key
            body limit too small       | max_body_bytes = 100                                                | max_body_bytes
            body limit not a number    | max_body_bytes = 'lots'                                             | max_body_bytes
            unsupported database url   | database_url = 'mysql://db/tr'                                      | database_url
            provider without url       | [[providers]]\\nname = 'bare'                                       | 'bare' needs base_url or preset
            provider name with a space | [[providers]]\\nname = 'my provider'\\npreset = 'openai'            | providers.name
            provider name with a slash | [[providers]]\\nname = 'a/b'\\npreset = 'openai'                    | providers.name
            provider without a name    | [[providers]]\\npreset = 'openai'                                   | providers.name
            alias without targets      | [[model_aliases]]\\nname = 'smart'                                  | model_aliases
            fractional alias weight    | [[model_aliases]]\\nname = 'smart'\\n[[model_aliases.targets]]\\nprovider = 'a'\\nmodel = 'm'\\nweight = 1.5 | model_aliases.targets.weight
            alias order out of range   | [[model_aliases]]\\nname = 'smart'\\n[[model_aliases.targets]]\\nprovider = 'a'\\nmodel = 'm'\\norder = 0 | model_aliases.targets.order
            zero request deadline      | request_deadline = '0s'                                             | request_deadline
            cool-down failures of zero | cooldown_failures = 0                                               | cooldown_failures
            api_keys not a list       | [[providers]]\\nname = 'p'\\npreset = 'openai'\\napi_keys = 'sk-1'   | providers.api_keys
            usage commit not a flag    | usage_synchronous_commit = 'sometimes'                              | usage_synchronous_commit
            """)
    void rejectsInvalidSettingsNamingTheSetting(String description, String file, String named) {
        toml(file.replace("\\n", "\n") + "\n");

        assertThatThrownBy(this::load)
                .isInstanceOfAny(IllegalStateException.class, IllegalArgumentException.class)
                .hasMessageContaining(named);
    }

    @Test
    void theRequestLogCommitsSynchronouslyUnlessToldOtherwise() {
        assertThat(load().usageSynchronousCommit()).isTrue();

        toml("usage_synchronous_commit = false\n");
        assertThat(load().usageSynchronousCommit()).isFalse();

        toml("");
        environment.put("TOKENROUTER_USAGE_SYNCHRONOUS_COMMIT", "FALSE");
        assertThat(load().usageSynchronousCommit()).isFalse();
    }

    @Test
    void acceptsAnAdminKeyOfSixteenCharacters() {
        properties.put("tokenrouter.admin_key", "0123456789abcdef");

        assertThat(load().adminKey()).contains("0123456789abcdef");
    }

    @Test
    void rejectsABadDurationFromAVariableNamingTheSetting() {
        environment.put("TOKENROUTER_CONNECT_TIMEOUT", "10 seconds");

        assertThatThrownBy(this::load).hasMessageContaining("connect_timeout").hasMessageContaining("10 seconds");
    }

    @Test
    void rejectsAnUnreadableTomlFile() {
        toml("this is = = not toml");

        assertThatThrownBy(this::load).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(GatewaySettings.TOML_FILE);
    }

    @Test
    void forwardUnlistedModelsMustBeTrueOrFalse() {
        toml("""
                [[providers]]
                name = "gemini"
                preset = "gemini"
                forward_unlisted_models = "yes"
                """);

        org.assertj.core.api.Assertions.assertThatThrownBy(this::load).hasMessageContaining("forward_unlisted_models");
    }

    @Test
    void consoleMaxSessionsAndConversationMaxBytesAreBounded() {
        toml("console_max_sessions = 0");
        org.assertj.core.api.Assertions.assertThatThrownBy(this::load).hasMessageContaining("console_max_sessions");
        toml("conversation_max_bytes = 2000000");
        org.assertj.core.api.Assertions.assertThatThrownBy(this::load).hasMessageContaining("conversation_max_bytes");
    }
}
