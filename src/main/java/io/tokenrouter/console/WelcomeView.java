package io.tokenrouter.console;

import io.tokenrouter.access.Caller;
import io.tokenrouter.provider.ConnectionTestResult;
import io.tokenrouter.provider.PresetView;
import io.tokenrouter.provider.ProviderService;
import io.tokenrouter.provider.ProviderDraft;
import io.tokenrouter.provider.ProviderProbeService;
import jakarta.annotation.PostConstruct;
import jakarta.faces.view.ViewScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import java.io.Serializable;
import java.util.List;

/**
 * First run, step two (after {@link SetupForm}): the new admin key, shown once, then the first provider from
 * a preset, its key pasted and the connection tested.
 */
@Named
@ViewScoped
public class WelcomeView implements Serializable {

    private static final long serialVersionUID = 1L;
    /** The HTTP session attribute that carries the key just created to this page, once. */
    static final String CREATED_KEY = "io.tokenrouter.console.createdKey";

    /**
     * The key just created, on its way to this page: never written where the session goes when the container
     * keeps it on disk (a restart) or moves it to another node; it is then simply not shown.
     */
    record CreatedSecret(String secret) implements Serializable {
        private Object writeReplace() {
            return new CreatedSecret(null);
        }
    }

    @Inject
    ProviderService providers;
    @Inject
    ProviderProbeService providerService;

    private transient String createdSecret;
    private String preset = "openai";
    private String providerName;
    private transient String providerKey;
    private String providerUrl;
    private ConnectionTestResult testResult;
    private String addedProvider;

    /** Takes the key just created from the session: it is shown by this view and then nowhere again. */
    @PostConstruct
    void takeCreatedKey() {
        jakarta.servlet.http.HttpSession session = Console.request().getSession(false);
        if (session != null) {
            if (session.getAttribute(CREATED_KEY) instanceof CreatedSecret created) {
                createdSecret = created.secret();
            }
            session.removeAttribute(CREATED_KEY);
        }
    }

    public List<PresetView> getPresets() {
        return providers.presets(caller());
    }

    public void addProvider() {
        PresetView chosen = getPresets().stream().filter(p -> p.id().equals(preset)).findFirst().orElse(null);
        String providerId = providerName == null || providerName.isBlank() ? (chosen == null ? preset : chosen.id()) : providerName.trim();
        ProviderDraft draft = new ProviderDraft(providerId, preset, Console.text(providerUrl), Console.text(providerKey),
                true, null, null, null);
        providerKey = null;
        Caller caller = caller();
        if (Console.attempt(() -> providers.create(caller, draft), null) == null) {
            return;
        }
        addedProvider = providerId;
        testResult = Console.attempt(() -> providerService.test(caller, providerId), null);
    }

    public void retest() {
        Caller caller = caller();
        testResult = Console.attempt(() -> providerService.test(caller, addedProvider), null);
    }

    private static Caller caller() {
        return Console.caller();
    }

    public String getCreatedSecret() {
        return createdSecret;
    }

    public String getPreset() {
        return preset;
    }

    public void setPreset(String preset) {
        this.preset = preset;
    }

    public String getProviderName() {
        return providerName;
    }

    public void setProviderName(String providerName) {
        this.providerName = providerName;
    }

    public String getProviderKey() {
        return providerKey;
    }

    public void setProviderKey(String providerKey) {
        this.providerKey = providerKey;
    }

    public String getProviderUrl() {
        return providerUrl;
    }

    public void setProviderUrl(String providerUrl) {
        this.providerUrl = providerUrl;
    }

    public ConnectionTestResult getTestResult() {
        return testResult;
    }

    public String getAddedProvider() {
        return addedProvider;
    }
}
