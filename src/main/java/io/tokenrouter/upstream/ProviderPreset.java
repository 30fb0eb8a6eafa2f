package io.tokenrouter.upstream;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * Built-in provider presets: the OpenAI-compatible base URL and auth style of well-known providers, so a
 * provider can be configured with a name and a key. {@code local} presets need no key and are free.
 * {@code listsEveryModel} is false for providers whose model list is known to leave out models they serve
 * (fine-tunes, dedicated deployments, any name a single-model server accepts): a model they do not list
 * is forwarded as asked unless an administrator says otherwise.
 */
public enum ProviderPreset {
    OPENAI("openai", "OpenAI", "https://api.openai.com/v1", AuthStyle.BEARER, false, true),
    ANTHROPIC("anthropic", "Anthropic (OpenAI-compatible)", "https://api.anthropic.com/v1", AuthStyle.BEARER, false, true),
    GEMINI("gemini", "Google Gemini (OpenAI-compatible)", "https://generativelanguage.googleapis.com/v1beta/openai",
            AuthStyle.BEARER, false, false),
    GROQ("groq", "Groq", "https://api.groq.com/openai/v1", AuthStyle.BEARER, false, true),
    MISTRAL("mistral", "Mistral", "https://api.mistral.ai/v1", AuthStyle.BEARER, false, true),
    OPENROUTER("openrouter", "OpenRouter", "https://openrouter.ai/api/v1", AuthStyle.BEARER, false, true),
    TOGETHER("together", "Together AI", "https://api.together.xyz/v1", AuthStyle.BEARER, false, false),
    DEEPSEEK("deepseek", "DeepSeek", "https://api.deepseek.com/v1", AuthStyle.BEARER, false, true),
    XAI("xai", "xAI", "https://api.x.ai/v1", AuthStyle.BEARER, false, true),
    FIREWORKS("fireworks", "Fireworks AI", "https://api.fireworks.ai/inference/v1", AuthStyle.BEARER, false, false),
    CEREBRAS("cerebras", "Cerebras", "https://api.cerebras.ai/v1", AuthStyle.BEARER, false, true),
    POE("poe", "Poe", "https://api.poe.com/v1", AuthStyle.BEARER, false, true),
    PERPLEXITY("perplexity", "Perplexity", "https://api.perplexity.ai", AuthStyle.BEARER, false, false),
    OLLAMA("ollama", "Ollama (local)", "http://127.0.0.1:11434/v1", AuthStyle.NONE, true, true),
    LMSTUDIO("lmstudio", "LM Studio (local)", "http://127.0.0.1:1234/v1", AuthStyle.NONE, true, false),
    VLLM("vllm", "vLLM (local)", "http://127.0.0.1:8000/v1", AuthStyle.NONE, true, true),
    LLAMACPP("llamacpp", "llama.cpp server (local)", "http://127.0.0.1:8080/v1", AuthStyle.NONE, true, false);

    private final String id;
    private final String label;
    private final String baseUrl;
    private final AuthStyle authStyle;
    private final boolean local;
    private final boolean listsEveryModel;

    ProviderPreset(String id, String label, String baseUrl, AuthStyle authStyle, boolean local, boolean listsEveryModel) {
        this.id = id;
        this.label = label;
        this.baseUrl = baseUrl;
        this.authStyle = authStyle;
        this.local = local;
        this.listsEveryModel = listsEveryModel;
    }

    /**
     * Whether a provider of this preset forwards models its list leaves out, unless told otherwise: yes
     * for presets known to list only part of what they serve; no for the others and for a provider without
     * a preset, whose list is taken at its word (a mistyped model is a 404 with suggestions, not a call).
     */
    public static boolean forwardsUnlistedByDefault(String presetId) {
        return find(presetId).map(p -> !p.listsEveryModel).orElse(false);
    }

    public static Optional<ProviderPreset> find(String id) {
        if (id == null) {
            return Optional.empty();
        }
        String wanted = id.toLowerCase(Locale.ROOT).replace("-", "").replace(".", "");
        return Arrays.stream(values()).filter(p -> p.id.equals(wanted)).findFirst();
    }

    public String id() {
        return id;
    }

    public String label() {
        return label;
    }

    public String baseUrl() {
        return baseUrl;
    }

    public AuthStyle authStyle() {
        return authStyle;
    }

    public boolean local() {
        return local;
    }
}
