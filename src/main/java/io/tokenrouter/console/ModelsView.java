package io.tokenrouter.console;

import io.tokenrouter.observe.PriceService;
import io.tokenrouter.provider.ProviderService;
import io.tokenrouter.provider.ProviderView;
import io.tokenrouter.routing.AliasTarget;
import io.tokenrouter.routing.AliasView;
import io.tokenrouter.routing.RoutingService;
import io.tokenrouter.quota.Money;
import io.tokenrouter.store.PriceRepository;
import jakarta.faces.view.ViewScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.primefaces.PrimeFaces;

/**
 * Models: the aggregated catalog clients see in {@code /v1/models} (provider, upstream id, price per million
 * tokens where known), the aliases with their target in each profile, and the switch of the active profile.
 */
@Named
@ViewScoped
public class ModelsView implements Serializable {

    private static final long serialVersionUID = 1L;

    @Inject
    PriceService priceService;
    @Inject
    RoutingService routing;
    @Inject
    ProviderService providers;

    private String filter;
    private String profile;
    private transient List<PriceService.CatalogEntry> catalog;
    private transient List<AliasView> aliases;
    private transient RoutingService.Profiles profiles;

    private String aliasName;
    private boolean editingAlias;
    private List<TargetRow> targets = new ArrayList<>();
    private transient List<PriceRepository.Price> prices;
    private PriceForm price = new PriceForm();

    /** One target of an alias being edited. */
    public static class TargetRow implements Serializable {
        private static final long serialVersionUID = 1L;
        private String profile;
        private String provider;
        private String model;
        private Integer order = 1;
        private Integer weight = 1;

        public TargetRow() {
        }

        TargetRow(String profile, String provider, String model) {
            this.profile = profile;
            this.provider = provider;
            this.model = model;
        }

        TargetRow(AliasTarget target) {
            this(target.profile(), target.provider(), target.model());
            this.order = target.order();
            this.weight = target.weight();
        }

        public Integer getOrder() {
            return order;
        }

        public void setOrder(Integer order) {
            this.order = order;
        }

        public Integer getWeight() {
            return weight;
        }

        public void setWeight(Integer weight) {
            this.weight = weight;
        }

        public String getProfile() {
            return profile;
        }

        public void setProfile(String profile) {
            this.profile = profile;
        }

        public String getProvider() {
            return provider;
        }

        public void setProvider(String provider) {
            this.provider = provider;
        }

        public String getModel() {
            return model;
        }

        public void setModel(String model) {
            this.model = model;
        }
    }

    public List<PriceService.CatalogEntry> getCatalog() {
        if (catalog == null) {
            catalog = Console.listOf(() -> priceService.catalog(Console.caller()));
        }
        if (filter == null || filter.isBlank()) {
            return catalog;
        }
        String needle = filter.trim().toLowerCase(Locale.ROOT);
        return catalog.stream().filter(e -> e.id().toLowerCase(Locale.ROOT).contains(needle)).toList();
    }

    public List<AliasView> getAliases() {
        if (aliases == null) {
            aliases = Console.listOf(() -> routing.aliases(Console.caller()));
        }
        return aliases;
    }

    /** The profiles and the active one, read once until something here changes them. */
    private RoutingService.Profiles profiles() {
        if (profiles == null) {
            profiles = Console.attempt(() -> routing.profiles(Console.caller()), null);
            if (profiles == null) {
                profiles = new RoutingService.Profiles(List.of(), null);
            }
        }
        return profiles;
    }

    public List<String> getProfiles() {
        return profiles().profiles();
    }

    public String getActiveProfile() {
        return profiles().active();
    }

    public List<String> getProviderNames() {
        return Console.listOf(() -> providers.list(Console.caller())).stream().map(ProviderView::name).toList();
    }

    public void activate() {
        String chosen = profile;
        if (Console.attempt(() -> routing.activate(Console.caller(), chosen), "Profile '" + chosen + "' is active; aliases follow it at once.") != null) {
            aliases = null;
            catalog = null;
            profiles = null;
        }
    }

    public void newAlias() {
        aliasName = null;
        editingAlias = false;
        targets = new ArrayList<>();
        String active = getActiveProfile();
        targets.add(new TargetRow(active == null ? "default" : active, null, null));
    }

    public void editAlias(AliasView alias) {
        aliasName = alias.name();
        editingAlias = true;
        targets = new ArrayList<>();
        for (AliasTarget t : alias.targets()) {
            targets.add(new TargetRow(t));
        }
    }

    public void addTarget() {
        targets.add(new TargetRow());
    }

    public void removeTarget(TargetRow row) {
        targets.remove(row);
    }

    public void saveAlias() {
        List<AliasTarget> wanted = targets.stream().map(t -> new AliasTarget(t.profile, t.provider, t.model, t.order, t.weight))
                .toList();
        String name = aliasName;
        if (Console.attempt(() -> routing.putAlias(Console.caller(), name, wanted), "Saved alias '" + name + "'.") != null) {
            aliases = null;
            catalog = null;
            profiles = null;
            PrimeFaces.current().executeScript("PF('aliasDialog').hide()");
        }
    }

    public void deleteAlias(AliasView alias) {
        if (Console.attempt(() -> routing.deleteAlias(Console.caller(), alias.name()), "Deleted alias '" + alias.name() + "'.")) {
            aliases = null;
            catalog = null;
            profiles = null;
        }
    }

    /** A price per million tokens, from micro-dollars per million: "$2.50", "$0.075". */
    public String price(PriceRepository.Price price, String which) {
        if (price == null) {
            return "—";
        }
        long micros = switch (which) {
            case "input" -> price.inputMicros();
            case "output" -> price.outputMicros();
            case "cacheWrite" -> price.cacheWriteMicros();
            case "reasoning" -> price.reasoningMicros();
            default -> price.cachedInputMicros();
        };
        return Money.format(micros);
    }

    // ---- prices

    /** Every price: those set by an administrator first, then the shipped table's. */
    public List<PriceRepository.Price> getPrices() {
        if (prices == null) {
            // those set here first: they are what an administrator looks for
            prices = Console.listOf(() -> priceService.prices(Console.caller())).stream()
                    .sorted(java.util.Comparator.comparing((PriceRepository.Price p) -> !PriceRepository.ADMIN.equals(p.source()))
                            .thenComparing(PriceRepository.Price::model).thenComparing(PriceRepository.Price::provider))
                    .toList();
        }
        return prices;
    }

    /** The date of the price table this gateway ships. */
    public String getShippedPricesAsOf() {
        return priceService.shippedPricesAsOf().toString();
    }

    public void newPrice() {
        price = new PriceForm();
    }

    public void editPrice(PriceRepository.Price existing) {
        price = PriceForm.of(existing);
    }

    public void savePrice() {
        PriceForm form = price;
        io.tokenrouter.observe.PriceDraft draft;
        try {
            draft = form.draft();
        } catch (io.tokenrouter.api.GatewayException e) {
            Console.refused(e);
            return;
        }
        String name = (form.getProvider() == null || form.getProvider().isBlank() ? "" : form.getProvider() + "/")
                + form.getModel();
        if (Console.attempt(() -> priceService.setPrice(Console.caller(), draft), "Set the price of " + name + ".") != null) {
            prices = null;
            catalog = null;
            PrimeFaces.current().executeScript("PF('priceDialog').hide()");
        }
    }

    public void deletePrice(PriceRepository.Price existing) {
        String name = (existing.provider().isEmpty() ? "" : existing.provider() + "/") + existing.model();
        if (Console.attempt(() -> priceService.deletePrice(Console.caller(), existing.provider(), existing.model()),
                PriceRepository.SHIPPED.equals(existing.source()) ? "Removed the price of " + name + "."
                        : "Removed your price of " + name + "; a price of the shipped table, if it has one, applies again.") != null) {
            prices = null;
            catalog = null;
        }
    }

    public PriceForm getPrice() {
        return price;
    }

    public String targetsText(AliasView alias) {
        List<String> parts = new ArrayList<>();
        for (AliasTarget t : alias.targets()) {
            parts.add(t.profile() + " → " + t.provider() + "/" + t.model()
                    + (t.order() > 1 ? " (fallback " + t.order() + ")" : "") + (t.weight() > 1 ? " ×" + t.weight() : ""));
        }
        return String.join("   ·   ", parts);
    }

    public String getFilter() {
        return filter;
    }

    public void setFilter(String filter) {
        this.filter = filter;
    }

    public String getProfile() {
        return profile == null ? getActiveProfile() : profile;
    }

    public void setProfile(String profile) {
        this.profile = profile;
    }

    public String getAliasName() {
        return aliasName;
    }

    public void setAliasName(String aliasName) {
        this.aliasName = aliasName;
    }

    public boolean isEditingAlias() {
        return editingAlias;
    }

    public List<TargetRow> getTargets() {
        return targets;
    }
}
