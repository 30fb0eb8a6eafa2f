package io.tokenrouter.store;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** A cluster-wide runtime setting (default provider, active profile, …), shared through the database. */
@Entity
@Table(name = "settings")
public class Setting {

    public static final String DEFAULT_PROVIDER = "default_provider";
    public static final String DEFAULT_MODEL = "default_model";
    public static final String ACTIVE_MODEL_PROFILE = "active_model_profile";
    public static final String ALLOWED_MODELS = "allowed_models";
    public static final String CONVERSATIONS_ENABLED = "conversations_enabled";
    public static final String LOG_RETENTION = "log_retention";
    public static final String CONVERSATION_RETENTION = "conversation_retention";
    public static final String TRUSTED_PROXIES = "trusted_proxies";
    public static final String PROVIDER_QUOTA_ALERT_SHARE = "provider_quota_alert_share";
    public static final String ALERT_WEBHOOK_URL = "alert_webhook_url";
    public static final String AUTO_ENABLE_PUBLIC_FREE_MODELS = "auto_enable_public_free_models";
    public static final String AUTO_DETECT_LOCAL_SERVERS = "auto_detect_local_servers";
    public static final String CONSOLE_KEY_SIGN_IN = "console_key_sign_in";

    @Id
    @Column(name = "setting_name")
    private String name;
    @Column(name = "setting_value")
    private String value;

    public Setting() {
    }

    public Setting(String name, String value) {
        this.name = name;
        this.value = value;
    }

    public String getName() { return name; }
    public String getValue() { return value; }
    public void setValue(String value) { this.value = value; }
}
