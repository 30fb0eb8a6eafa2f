package io.tokenrouter.console;

import io.tokenrouter.access.Caller;
import io.tokenrouter.access.CreatedKey;
import io.tokenrouter.access.Sessions;
import io.tokenrouter.api.GatewayException;
import io.tokenrouter.provider.ConnectionTestResult;
import io.tokenrouter.provider.PresetView;
import io.tokenrouter.provider.ProviderAdmin;
import io.tokenrouter.provider.ProviderDraft;
import io.tokenrouter.provider.ProviderService;
import jakarta.faces.view.ViewScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import java.io.Serializable;
import java.util.List;

/**
 * First run: the one-time setup token from the server log creates the first admin key, shown once; the
 * console then signs in with it and offers to add the first provider from a preset, paste its key and
 * test the connection.
 */
@Named
@ViewScoped
public class SetupView implements Serializable {

    private static final long serialVersionUID = 1L;

    @Inject
    ConsoleSession account;
    @Inject
    Sessions sessions;
    @Inject
    ProviderAdmin providers;
    @Inject
    ProviderService providerService;

    private String setupToken;
    private String name = "first-admin";
    private transient String createdSecret;
    private String preset = "openai";
    private String providerName;
    private transient String providerKey;
    private String providerUrl;
    private ConnectionTestResult testResult;
    private String addedProvider;

    /** Opens the page: once an admin exists (and nothing was just created here), setup is closed. */
    public void onLoad() {
        if (createdSecret == null && !account.isSetupPending()) {
            ConsoleSession.redirect("signin.xhtml");
        }
    }

    public void createAdmin() {
        try {
            CreatedKey created = sessions.setup(setupToken, name, account.clientIp());
            createdSecret = created.secret();
            account.signInWith(created);
        } catch (GatewayException e) {
            Console.refused(e);
        }
    }

    public List<PresetView> getPresets() {
        return createdSecret == null ? List.of() : providers.presets(caller());
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


    public boolean isCreated() {
        return createdSecret != null;
    }

    public String getCreatedSecret() {
        return createdSecret;
    }

    public String getSetupToken() {
        return setupToken;
    }

    public void setSetupToken(String setupToken) {
        this.setupToken = setupToken;
    }

    public String getName() {
        return name;
    }

    public void setName(String name) {
        this.name = name;
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
