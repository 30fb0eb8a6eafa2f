package io.tokenrouter.provider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tokenrouter.upstream.AuthStyle;
import io.tokenrouter.upstream.ProviderPreset;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The built-in presets: each usable as it stands, or telling what to fill in. */
class ProviderPresetsTest {

    @Test
    void everyPresetHasAUsableUrlOrATemplateThatSaysWhatToFillIn() {
        assertThat(ProviderPreset.values()).hasSizeGreaterThanOrEqualTo(47);
        for (ProviderPreset p : ProviderPreset.values()) {
            if (p.baseUrl() != null) {
                assertThat(p.template()).as(p.id()).isNull();
                ProviderUrls.validate(p.id(), p.baseUrl());
            } else {
                assertThat(p.template()).as(p.id()).contains("{");
                assertThatThrownBy(() -> ProviderUrls.validate(p.id(), p.template())).as(p.id())
                        .hasMessageContaining("placeholder {").hasMessageContaining("put your own value in its place");
                ProviderUrls.validate(p.id(), p.template().replaceAll("\\{[^}]*}", "x"));
            }
        }
    }

    @Test
    void idsAndAliasesNameOnePresetEach() {
        Set<String> seen = new HashSet<>();
        for (ProviderPreset p : ProviderPreset.values()) {
            assertThat(seen.add(p.id().replace("-", ""))).as(p.id()).isTrue();
            assertThat(ProviderPreset.find(p.id())).contains(p);
            assertThat(ProviderPreset.find(p.id().toUpperCase())).contains(p);
        }
        assertThat(ProviderPreset.find("google-gemini")).contains(ProviderPreset.GEMINI);
        assertThat(ProviderPreset.find("llama-cpp")).contains(ProviderPreset.LLAMACPP);
        assertThat(ProviderPreset.find("opencode_zen")).contains(ProviderPreset.OPENCODE_ZEN);
        assertThat(ProviderPreset.find("nonesuch")).isEmpty();
    }

    @Test
    void presetsWithoutAKeyAreTheLocalAndThePublicFreeOnes() {
        assertThat(Arrays.stream(ProviderPreset.values()).filter(p -> p.authStyle() == AuthStyle.NONE).map(ProviderPreset::access))
                .allMatch(a -> a == ProviderPreset.Access.LOCAL);
        assertThat(Arrays.stream(ProviderPreset.values()).filter(p -> p.publicCredential() != null).map(ProviderPreset::id))
                .containsExactly("opencode-zen");
        assertThat(ProviderPreset.OPENCODE_ZEN.publicCredential()).isEqualTo("public");
        assertThat(Arrays.stream(ProviderPreset.values()).filter(ProviderPreset::local).map(ProviderPreset::id))
                .containsExactlyInAnyOrder("ollama", "lmstudio", "vllm", "llamacpp");
        assertThat(Arrays.stream(ProviderPreset.values()).filter(p -> p.local()).map(ProviderPreset::baseUrl))
                .allMatch(url -> url.startsWith("http://127.0.0.1:"));
    }

    @Test
    void theConsoleOffersEachPresetWithWhatItTakes() {
        assertThat(PresetView.of(ProviderPreset.GROQ).choice()).isEqualTo("Groq (free tier with a key)");
        assertThat(PresetView.of(ProviderPreset.OPENCODE_ZEN).choice()).isEqualTo("OpenCode Zen (free models, no key)");
        assertThat(PresetView.of(ProviderPreset.OPENAI).choice()).isEqualTo("OpenAI");
        PresetView azure = PresetView.of(ProviderPreset.AZURE);
        assertThat(azure.baseUrl()).isNull();
        assertThat(azure.template()).isEqualTo("https://{resource_name}.openai.azure.com/openai/v1");
        assertThat(azure.authStyle()).isEqualTo("api_key_header");
        assertThat(azure.access()).isEqualTo("paid");
    }

    /** The original's three presets that take more than a pasted key: a sign-in, a PAT, a service key. */
    @Test
    void copilotSignsInGitLabTakesATokenAndSapAiCoreAServiceKey() {
        assertThat(ProviderPreset.find("github-copilot")).hasValueSatisfying(p -> {
            assertThat(p.baseUrl()).isEqualTo("https://api.githubcopilot.com");
            assertThat(p.deviceLogin()).contains(io.tokenrouter.upstream.DeviceLogin.GITHUB);
        });
        assertThat(PresetView.of(ProviderPreset.GITHUB_COPILOT).signIn()).isEqualTo("GitHub");
        assertThat(Arrays.stream(ProviderPreset.values()).filter(p -> p.deviceLogin().isPresent()))
                .containsExactly(ProviderPreset.GITHUB_COPILOT);
        assertThat(ProviderPreset.find("gitlab").map(ProviderPreset::authStyle)).contains(AuthStyle.BEARER);
        PresetView sap = PresetView.of(ProviderPreset.SAP_AI_CORE);
        assertThat(sap.template()).isEqualTo("https://{ai_api_url}/v2/inference/deployments/{deployment_id}?api-version=2023-05-15");
        assertThat(sap.authStyle()).isEqualTo("service_key");
        assertThat(sap.signIn()).isNull();
    }

    @Test
    void aProviderWithoutAKeySendsNoneButAnAnthropicOneStillSpeaksAnthropic() {
        assertThat(ProviderPreset.authStyleOf(ProviderPreset.find("openai"), false)).isEqualTo(AuthStyle.NONE);
        assertThat(ProviderPreset.authStyleOf(ProviderPreset.find("openai"), true)).isEqualTo(AuthStyle.BEARER);
        assertThat(ProviderPreset.authStyleOf(ProviderPreset.find("ollama"), true)).isEqualTo(AuthStyle.BEARER);
        assertThat(ProviderPreset.authStyleOf(java.util.Optional.empty(), true)).isEqualTo(AuthStyle.BEARER);
        assertThat(ProviderPreset.authStyleOf(ProviderPreset.find("anthropic"), false)).isEqualTo(AuthStyle.ANTHROPIC);
        assertThat(ProviderPreset.authStyleOf(ProviderPreset.find("sap-ai-core"), false)).isEqualTo(AuthStyle.NONE);
        assertThat(AuthStyle.ANTHROPIC.header(null)).isNull();
        assertThat(new io.tokenrouter.routing.ProviderTarget("c", java.net.URI.create("http://127.0.0.1:1/v1"), null,
                AuthStyle.ANTHROPIC, java.time.Duration.ofSeconds(1), java.time.Duration.ofSeconds(1)).authHeaders())
                .containsExactly(java.util.Map.entry("anthropic-version", AuthStyle.ANTHROPIC_VERSION));
    }
}
