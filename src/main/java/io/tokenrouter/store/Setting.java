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
