package io.tokenrouter.store;

import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** One target of a model alias: while {@code profile} is active, {@code name} means provider/model. */
@Entity
@Table(name = "model_aliases")
public class ModelAlias {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    private Long id;
    private String name;
    private String profile;
    private String provider;
    private String model;
    private String source;
    @jakarta.persistence.Column(name = "target_order")
    private int order = 1;
    private int weight = 1;

    public Long getId() { return id; }
    public String getName() { return name; }
    public void setName(String name) { this.name = name; }
    public String getProfile() { return profile; }
    public void setProfile(String profile) { this.profile = profile; }
    public String getProvider() { return provider; }
    public void setProvider(String provider) { this.provider = provider; }
    public String getModel() { return model; }
    public void setModel(String model) { this.model = model; }
    public String getSource() { return source; }
    public void setSource(String source) { this.source = source; }
    public int getOrder() { return order; }
    public void setOrder(int order) { this.order = order; }
    public int getWeight() { return weight; }
    public void setWeight(int weight) { this.weight = weight; }
}
