package io.tokenrouter.console;

import io.tokenrouter.access.Caller;
import io.tokenrouter.config.Durations;
import io.tokenrouter.provider.ConnectionTestResult;
import io.tokenrouter.provider.DeviceSignIn;
import io.tokenrouter.provider.PresetView;
import io.tokenrouter.provider.ProviderService;
import io.tokenrouter.provider.ProviderDraft;
import io.tokenrouter.provider.ProviderProbeService;
import io.tokenrouter.provider.ProviderView;
import io.tokenrouter.provider.UnlistedModels;
import jakarta.faces.view.ViewScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import java.io.Serializable;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.primefaces.PrimeFaces;

/**
 * Providers: add one from a preset (searchable) or by URL, edit, enable or disable, test the connection,
 * refresh its models, delete. A provider's key is write-only: the form never shows it back, and an empty
 * key field on edit leaves the stored key as it is.
 */
@Named
@ViewScoped
public class ProvidersView implements Serializable {

    private static final long serialVersionUID = 1L;

    @Inject
    ProviderService providers;
    @Inject
    ProviderProbeService service;
    @Inject
    DeviceSignIn signIns;

    private transient List<ProviderView> list;
    private final Map<String, ConnectionTestResult> tests = new HashMap<>();

    private String editing;
    private String name;
    private String preset;
    private String baseUrl;
    private transient String apiKey;
    private boolean enabled = true;
    private String connectTimeout;
    private String readTimeout;
    /** "default", "forward" or "refuse": what happens to a model the provider does not list. */
    private String unlisted = "default";

    /** The provider being signed in, where (its sign-in server), and the code once the sign-in started. */
    private String signingIn;
    private String signInLabel;
    private String signInServer;
    private String signInClientId;
    private DeviceSignIn.Started signInCode;
    /** When the sign-in server may be asked again (the page polls every second; the server says how often it may). */
    private long nextAskMillis;

    public List<ProviderView> getProviders() {
        if (list == null) {
            list = Console.listOf(() -> providers.list(Console.caller()));
        }
        return list;
    }

    public List<PresetView> getPresets() {
        return Console.listOf(() -> providers.presets(Console.caller()));
    }

    public void newProvider() {
        editing = null;
        name = null;
        preset = "openai";
        baseUrl = null;
        apiKey = null;
        enabled = true;
        connectTimeout = null;
        readTimeout = null;
        unlisted = "default";
        presetChosen();
    }

    public void edit(ProviderView p) {
        editing = p.name();
        name = p.name();
        preset = p.preset();
        baseUrl = p.baseUrl();
        apiKey = null;
        enabled = p.enabled();
        connectTimeout = p.connectTimeoutMs() == null ? null : p.connectTimeoutMs() + "ms";
        readTimeout = p.readTimeoutMs() == null ? null : p.readTimeoutMs() + "ms";
        unlisted = p.forwardUnlistedModelsByDefault() ? "default" : p.forwardUnlistedModels() ? "forward" : "refuse";
    }

    /** Choosing a preset fills in its URL (which may still be changed). */
    public void presetChosen() {
        getPresets().stream().filter(p -> p.id().equals(preset)).findFirst().ifPresent(p -> {
            baseUrl = p.baseUrl() != null ? p.baseUrl() : p.template();
            if (editing == null && (name == null || name.isBlank())) {
                name = p.id();
            }
        });
    }

    public void save() {
        Caller caller = Console.caller();
        ProviderDraft draft = new ProviderDraft(Console.text(name), Console.text(preset), Console.text(baseUrl), Console.text(apiKey), enabled,
                Console.text(connectTimeout), Console.text(readTimeout), null, null,
                "forward".equals(unlisted) ? UnlistedModels.FORWARD : "refuse".equals(unlisted) ? UnlistedModels.REFUSE
                        : UnlistedModels.PRESET_DEFAULT);
        apiKey = null;
        ProviderView saved = editing == null
                ? Console.attempt(() -> providers.create(caller, draft), "Added provider '" + name + "'; its models are being discovered.")
                : Console.attempt(() -> providers.update(caller, editing, draft), "Saved provider '" + editing + "'.");
        if (saved != null) {
            list = null;
            PrimeFaces.current().executeScript("PF('providerDialog').hide()");
        }
    }

    public void toggle(ProviderView p) {
        ProviderDraft draft = new ProviderDraft(null, null, null, null, !p.enabled(), null, null, null);
        if (Console.attempt(() -> providers.update(Console.caller(), p.name(), draft),
                (p.enabled() ? "Disabled" : "Enabled") + " provider '" + p.name() + "'.") != null) {
            list = null;
        }
    }

    public void test(ProviderView p) {
        ConnectionTestResult result = Console.attempt(() -> service.test(Console.caller(), p.name()), null);
        if (result != null) {
            tests.put(p.name(), result);
            if (result.ok()) {
                Console.info("'" + p.name() + "' answered in " + result.latencyMillis() + " ms with " + result.modelCount() + " models.");
            } else {
                Console.error("'" + p.name() + "' failed the test: " + result.message());
            }
            list = null;
        }
    }

    public void refresh(ProviderView p) {
        List<String> models = Console.attempt(() -> service.refresh(Console.caller(), p.name()), null);
        if (models != null) {
            Console.info("'" + p.name() + "' offers " + models.size() + " models.");
            list = null;
        }
    }

    public void delete(ProviderView p) {
        if (Console.attempt(() -> providers.delete(Console.caller(), p.name()), "Deleted provider '" + p.name() + "'.")) {
            list = null;
        }
    }

    /** Opens the sign-in of a provider whose key only a sign-in gives, at its preset's server. */
    public void beginSignIn(ProviderView p) {
        signingIn = p.name();
        signInLabel = p.signIn();
        signInServer = null;
        signInClientId = null;
        signInCode = null;
    }

    /** Asks the sign-in server for the code the administrator enters at its page; polling starts on the page. */
    public void startSignIn() {
        signInCode = Console.attempt(() -> signIns.start(Console.caller(), signingIn, Console.text(signInServer),
                Console.text(signInClientId)), null);
        if (signInCode != null) {
            nextAskMillis = System.currentTimeMillis() + signInCode.interval() * 1000;
            PrimeFaces.current().executeScript("PF('signInPoll').start()");
        }
    }

    /** Asks whether the code was entered; once it was, the provider has its key and the dialog closes. */
    public void pollSignIn() {
        if (signInCode == null) {
            PrimeFaces.current().executeScript("PF('signInPoll').stop()");
            return;
        }
        if (System.currentTimeMillis() < nextAskMillis) {
            return;
        }
        DeviceSignIn.Started code = signInCode;
        DeviceSignIn.Polled polled = Console.attempt(() -> signIns.poll(Console.caller(), signingIn, code.deviceCode(),
                code.server(), code.clientId()), null);
        if (polled == null) {
            signInCode = null;
            PrimeFaces.current().executeScript("PF('signInPoll').stop()");
        } else if (polled.pending()) {
            nextAskMillis = System.currentTimeMillis() + polled.interval() * 1000;
        } else {
            signInCode = null;
            list = null;
            Console.info("Signed '" + signingIn + "' in with " + signInLabel + "; its models are being discovered.");
            PrimeFaces.current().executeScript("PF('signInPoll').stop();PF('signInDialog').hide()");
        }
    }

    public String getSigningIn() {
        return signingIn;
    }

    public String getSignInLabel() {
        return signInLabel;
    }

    public String getSignInServer() {
        return signInServer;
    }

    public void setSignInServer(String signInServer) {
        this.signInServer = signInServer;
    }

    public String getSignInClientId() {
        return signInClientId;
    }

    public void setSignInClientId(String signInClientId) {
        this.signInClientId = signInClientId;
    }

    public DeviceSignIn.Started getSignInCode() {
        return signInCode;
    }

    public ConnectionTestResult testOf(ProviderView p) {
        return tests.get(p.name());
    }

    public String time(java.time.Instant t) {
        return Console.relative(t);
    }

    /** What happens to a model the provider does not list, as the table says it. */
    public String unlistedOf(ProviderView p) {
        return (p.forwardUnlistedModels() ? "forwarded" : "refused") + (p.forwardUnlistedModelsByDefault() ? " (default)" : "");
    }

    /** The gateway-wide timeouts a provider without its own uses. */
    public String getDefaultConnectTimeout() {
        return Durations.format(providers.defaultConnectTimeout());
    }

    public String getDefaultReadTimeout() {
        return Durations.format(providers.defaultReadTimeout());
    }

    public String getUnlisted() {
        return unlisted;
    }

    public void setUnlisted(String unlisted) {
        this.unlisted = unlisted;
    }

    public boolean isEditingNow() {
        return editing != null;
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

    public String getBaseUrl() {
        return baseUrl;
    }

    public void setBaseUrl(String baseUrl) {
        this.baseUrl = baseUrl;
    }

    public String getApiKey() {
        return null;
    }

    public void setApiKey(String apiKey) {
        this.apiKey = apiKey;
    }

    public boolean isEnabled() {
        return enabled;
    }

    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    public String getConnectTimeout() {
        return connectTimeout;
    }

    public void setConnectTimeout(String connectTimeout) {
        this.connectTimeout = connectTimeout;
    }

    public String getReadTimeout() {
        return readTimeout;
    }

    public void setReadTimeout(String readTimeout) {
        this.readTimeout = readTimeout;
    }
}
