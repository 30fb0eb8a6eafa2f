package io.tokenrouter.upstream;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Built-in provider presets: the OpenAI-compatible base URL and auth style of well-known providers, so a
 * provider can be configured with a name and a key. {@code local} presets need no key and are free.
 * {@code listsEveryModel} is false for providers whose model list is known to leave out models they serve
 * (fine-tunes, dedicated deployments, any name a single-model server accepts): a model they do not list
 * is forwarded as asked unless an administrator says otherwise. A preset whose URL names the customer's own
 * resource (Azure, Cloudflare, Vertex AI, SAP AI Core) has no base URL, only a {@code template} to fill in. GitHub
 * Copilot's key is the GitHub token of a {@link #deviceLogin() device sign-in}; SAP AI Core's is its service key.
 */
public enum ProviderPreset {
    AI302("302ai", "302.AI", "https://api.302.ai/v1", AuthStyle.BEARER, Access.PAID, true),
    ANTHROPIC("anthropic", "Anthropic", "https://api.anthropic.com/v1", AuthStyle.ANTHROPIC, Access.PAID, true),
    AZURE("azure", "Azure OpenAI", null, "https://{resource_name}.openai.azure.com/openai/v1", AuthStyle.API_KEY_HEADER,
            Access.PAID, false),
    AZURE_COGNITIVE("azure-cognitive-services", "Azure Cognitive Services", null,
            "https://{resource_name}.cognitiveservices.azure.com/openai/v1", AuthStyle.API_KEY_HEADER, Access.PAID, false),
    BASETEN("baseten", "Baseten", "https://inference.baseten.co/v1", AuthStyle.BEARER, Access.PAID, false),
    CEREBRAS("cerebras", "Cerebras", "https://api.cerebras.ai/v1", AuthStyle.BEARER, Access.FREE_TIER, true),
    CLOUDFLARE_GATEWAY("cloudflare-ai-gateway", "Cloudflare AI Gateway", null,
            "https://gateway.ai.cloudflare.com/v1/{account_id}/{gateway_id}/compat", AuthStyle.BEARER, Access.PAID, false),
    CLOUDFLARE_WORKERS("cloudflare-workers-ai", "Cloudflare Workers AI", null,
            "https://api.cloudflare.com/client/v4/accounts/{account_id}/ai/v1", AuthStyle.BEARER, Access.FREE_TIER, false),
    COHERE("cohere", "Cohere (compatibility API)", "https://api.cohere.ai/compatibility/v1", AuthStyle.BEARER, Access.TRIAL, true),
    CORTECS("cortecs", "Cortecs", "https://api.cortecs.ai/v1", AuthStyle.BEARER, Access.PAID, true),
    DEEPINFRA("deepinfra", "Deep Infra", "https://api.deepinfra.com/v1/openai", AuthStyle.BEARER, Access.PAID, true),
    DEEPSEEK("deepseek", "DeepSeek", "https://api.deepseek.com/v1", AuthStyle.BEARER, Access.PAID, true),
    FIREWORKS("fireworks", "Fireworks AI", "https://api.fireworks.ai/inference/v1", AuthStyle.BEARER, Access.TRIAL, false),
    GEMINI("gemini", "Google Gemini (OpenAI-compatible)", "https://generativelanguage.googleapis.com/v1beta/openai",
            AuthStyle.BEARER, Access.FREE_TIER, false, "google-gemini"),
    VERTEX("google-vertex-ai", "Google Cloud Vertex AI", null,
            "https://{location}-aiplatform.googleapis.com/v1/projects/{project_id}/locations/{location}/endpoints/openapi",
            AuthStyle.BEARER, Access.FREE_TIER, false),
    GITHUB_COPILOT("github-copilot", "GitHub Copilot", "https://api.githubcopilot.com", AuthStyle.BEARER, Access.FREE_TIER,
            true),
    GITLAB("gitlab", "GitLab Duo", "https://gitlab.com/api/v4/ai/v1", AuthStyle.BEARER, Access.PAID, false),
    GROQ("groq", "Groq", "https://api.groq.com/openai/v1", AuthStyle.BEARER, Access.FREE_TIER, true),
    HELICONE("helicone", "Helicone AI Gateway", "https://ai-gateway.helicone.ai/v1", AuthStyle.BEARER, Access.PAID, true),
    HUGGINGFACE("huggingface", "Hugging Face Inference Providers", "https://router.huggingface.co/v1", AuthStyle.BEARER,
            Access.FREE_TIER, true),
    HYPERBOLIC("hyperbolic", "Hyperbolic", "https://api.hyperbolic.xyz/v1", AuthStyle.BEARER, Access.PAID, true),
    IO_NET("io-net", "IO.NET", "https://api.intelligence.io.solutions/api/v1", AuthStyle.BEARER, Access.PAID, true),
    MINIMAX("minimax", "MiniMax", "https://api.minimax.io/v1", AuthStyle.BEARER, Access.PAID, true),
    MISTRAL("mistral", "Mistral", "https://api.mistral.ai/v1", AuthStyle.BEARER, Access.TRIAL, true),
    MOONSHOT("moonshotai", "Moonshot AI (Kimi)", "https://api.moonshot.ai/v1", AuthStyle.BEARER, Access.PAID, true),
    NEBIUS("nebius", "Nebius Token Factory", "https://api.tokenfactory.nebius.com/v1", AuthStyle.BEARER, Access.PAID, true),
    NVIDIA("nvidia", "NVIDIA NIM", "https://integrate.api.nvidia.com/v1", AuthStyle.BEARER, Access.FREE_TIER, true),
    OLLAMA_CLOUD("ollama-cloud", "Ollama Cloud", "https://ollama.com/v1", AuthStyle.BEARER, Access.FREE_TIER, true),
    OPENAI("openai", "OpenAI", "https://api.openai.com/v1", AuthStyle.BEARER, Access.PAID, true),
    OPENCODE_ZEN("opencode-zen", "OpenCode Zen", "https://opencode.ai/zen/v1", AuthStyle.BEARER, Access.PUBLIC_FREE, true),
    OPENROUTER("openrouter", "OpenRouter", "https://openrouter.ai/api/v1", AuthStyle.BEARER, Access.FREE_TIER, true),
    OVHCLOUD("ovhcloud", "OVHcloud AI Endpoints", "https://oai.endpoints.kepler.ai.cloud.ovh.net/v1", AuthStyle.BEARER,
            Access.PAID, true),
    PERPLEXITY("perplexity", "Perplexity", "https://api.perplexity.ai", AuthStyle.BEARER, Access.PAID, false),
    POE("poe", "Poe", "https://api.poe.com/v1", AuthStyle.BEARER, Access.PAID, true),
    SAP_AI_CORE("sap-ai-core", "SAP AI Core", null,
            "https://{ai_api_url}/v2/inference/deployments/{deployment_id}?api-version=2023-05-15", AuthStyle.SERVICE_KEY,
            Access.PAID, false),
    SAMBANOVA("sambanova", "SambaNova Cloud", "https://api.sambanova.ai/v1", AuthStyle.BEARER, Access.FREE_TIER, true),
    SCALEWAY("scaleway", "Scaleway Generative APIs", "https://api.scaleway.ai/v1", AuthStyle.BEARER, Access.PAID, true),
    TOGETHER("together", "Together AI", "https://api.together.xyz/v1", AuthStyle.BEARER, Access.PAID, false),
    VENICE("venice", "Venice AI", "https://api.venice.ai/api/v1", AuthStyle.BEARER, Access.PAID, true),
    VERCEL("vercel-ai-gateway", "Vercel AI Gateway", "https://ai-gateway.vercel.sh/v1", AuthStyle.BEARER, Access.TRIAL, true),
    XAI("xai", "xAI", "https://api.x.ai/v1", AuthStyle.BEARER, Access.PAID, true),
    ZAI("zai", "Z.AI", "https://api.z.ai/api/paas/v4", AuthStyle.BEARER, Access.PAID, true),
    ZENMUX("zenmux", "ZenMux", "https://zenmux.ai/api/v1", AuthStyle.BEARER, Access.PAID, true),
    OLLAMA("ollama", "Ollama (local)", "http://127.0.0.1:11434/v1", AuthStyle.NONE, Access.LOCAL, true),
    LMSTUDIO("lmstudio", "LM Studio (local)", "http://127.0.0.1:1234/v1", AuthStyle.NONE, Access.LOCAL, false),
    VLLM("vllm", "vLLM (local)", "http://127.0.0.1:8000/v1", AuthStyle.NONE, Access.LOCAL, true),
    LLAMACPP("llamacpp", "llama.cpp server (local)", "http://127.0.0.1:8080/v1", AuthStyle.NONE, Access.LOCAL, false,
            "llama-cpp");

    /** What using a preset's provider takes. */
    public enum Access {
        /** A key and a paid account. */
        PAID,
        /** A key; some models or an allowance are free. */
        FREE_TIER,
        /** A key; new accounts get trial credits. */
        TRIAL,
        /** Public free models that need no key at all. */
        PUBLIC_FREE,
        /** A server on the gateway's own host: no key, no cost. */
        LOCAL
    }

    private final String id;
    private final String label;
    private final String baseUrl;
    private final String template;
    private final AuthStyle authStyle;
    private final Access access;
    private final boolean listsEveryModel;
    private final List<String> aliases;

    ProviderPreset(String id, String label, String baseUrl, AuthStyle authStyle, Access access, boolean listsEveryModel,
                   String... aliases) {
        this(id, label, baseUrl, null, authStyle, access, listsEveryModel, aliases);
    }

    ProviderPreset(String id, String label, String baseUrl, String template, AuthStyle authStyle, Access access,
                   boolean listsEveryModel, String... aliases) {
        this.id = id;
        this.label = label;
        this.baseUrl = baseUrl;
        this.template = template;
        this.authStyle = authStyle;
        this.access = access;
        this.listsEveryModel = listsEveryModel;
        this.aliases = List.of(aliases);
    }

    /**
     * Whether a provider of this preset forwards models its list leaves out, unless told otherwise: yes
     * for presets known to list only part of what they serve; no for the others and for a provider without
     * a preset, whose list is taken at its word (a mistyped model is a 404 with suggestions, not a call).
     */
    public static boolean forwardsUnlistedByDefault(String presetId) {
        return find(presetId).map(p -> !p.listsEveryModel).orElse(false);
    }

    /** The preset of this id or alias, in any case and with or without its dashes and dots. */
    public static Optional<ProviderPreset> find(String id) {
        if (id == null) {
            return Optional.empty();
        }
        String wanted = normal(id);
        return Arrays.stream(values()).filter(p -> normal(p.id).equals(wanted)
                || p.aliases.stream().anyMatch(a -> normal(a).equals(wanted))).findFirst();
    }

    private static String normal(String id) {
        return id.toLowerCase(Locale.ROOT).replace("-", "").replace(".", "").replace("_", "");
    }

    public String id() {
        return id;
    }

    public String label() {
        return label;
    }

    /** The base URL; null when the provider's URL names the customer's own resource (see {@link #template}). */
    public String baseUrl() {
        return baseUrl;
    }

    /** For a preset without a base URL, the form of the URL to give, e.g. {@code https://{resource_name}.openai.azure.com/openai/v1}. */
    public String template() {
        return template;
    }

    public Access access() {
        return access;
    }

    /**
     * The credential a public free-model provider takes from anyone without a key of their own (OpenCode Zen's
     * clients send {@code Bearer public}); null for the others.
     */
    public String publicCredential() {
        return access == Access.PUBLIC_FREE ? "public" : null;
    }

    public AuthStyle authStyle() {
        return authStyle;
    }

    /**
     * The auth style of a provider of this preset (or none: Bearer): none without a key, except that a provider of
     * the Anthropic preset speaks Anthropic's Messages API with or without one (a keyless server of that kind).
     */
    public static AuthStyle authStyleOf(Optional<ProviderPreset> preset, boolean hasKey) {
        AuthStyle style = preset.map(ProviderPreset::authStyle).filter(s -> s != AuthStyle.NONE).orElse(AuthStyle.BEARER);
        return hasKey || style.speaksAnthropic() ? style : AuthStyle.NONE;
    }

    public boolean local() {
        return access == Access.LOCAL;
    }

    /** Whether the provider has a model list to discover: an SAP AI Core deployment serves one model and lists none. */
    public boolean listsModels() {
        return this != SAP_AI_CORE;
    }

    /**
     * How an administrator signs the provider in when its key is an OAuth token only a sign-in gives (GitHub
     * Copilot's, from GitHub's device flow); empty for presets that take a key as it is pasted.
     */
    public Optional<DeviceLogin> deviceLogin() {
        return this == GITHUB_COPILOT ? Optional.of(DeviceLogin.GITHUB) : Optional.empty();
    }
}
