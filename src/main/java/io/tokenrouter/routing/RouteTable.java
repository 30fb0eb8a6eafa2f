package io.tokenrouter.routing;

import io.tokenrouter.api.GatewayException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * An immutable snapshot of everything routing needs: enabled providers in order, aliases with their
 * per-profile targets, the active profile, the default provider and model, the global allow-list and
 * each provider's discovered models. Built whole and swapped whole; never mutated.
 */
public final class RouteTable {

    private final Map<String, ProviderTarget> providers;
    private final Set<String> disabledProviders;
    private final Map<String, List<AliasTarget>> aliases;
    private final String activeProfile;
    private final String defaultProvider;
    private final String defaultModel;
    private final Set<String> allowedModels;
    private final Map<String, List<String>> discoveredModels;
    /** The same lists as sets, so routing checks a model in constant time, however many a provider offers. */
    private final Map<String, Set<String>> knownModels;
    private final long created;
    private final boolean conversationsEnabled;
    private final List<ModelEntry> models;
    private final Set<String> modelIds;

    public RouteTable(List<ProviderTarget> enabledProviders, Set<String> disabledProviders,
                      Map<String, List<AliasTarget>> aliases, String activeProfile, String defaultProvider,
                      String defaultModel, Set<String> allowedModels, Map<String, List<String>> discoveredModels,
                      long created, boolean conversationsEnabled) {
        Map<String, ProviderTarget> byName = new LinkedHashMap<>();
        enabledProviders.forEach(p -> byName.put(p.name(), p));
        this.providers = java.util.Collections.unmodifiableMap(byName);
        this.disabledProviders = Set.copyOf(disabledProviders);
        this.aliases = Map.copyOf(aliases);
        this.activeProfile = activeProfile;
        this.defaultProvider = defaultProvider;
        this.defaultModel = defaultModel;
        this.allowedModels = Set.copyOf(allowedModels);
        this.discoveredModels = Map.copyOf(discoveredModels);
        Map<String, Set<String>> known = new java.util.HashMap<>();
        discoveredModels.forEach((provider, ids) -> known.put(provider, Set.copyOf(ids)));
        this.knownModels = Map.copyOf(known);
        this.created = created;
        this.conversationsEnabled = conversationsEnabled;
        this.models = List.copyOf(listModels());
        this.modelIds = models.stream().map(ModelEntry::id).collect(java.util.stream.Collectors.toUnmodifiableSet());
    }

    public static RouteTable empty() {
        return new RouteTable(List.of(), Set.of(), Map.of(), null, null, null, Set.of(), Map.of(), 0, false);
    }

    /**
     * Resolves the model a client asked for ({@code null} or blank: the default model) to a route, or
     * throws 400 (no model at all), 403 (not on the allow-list) or 404 (nothing serves it). The rule: an
     * alias goes to its target for the active profile; {@code provider/model} to that provider; anything
     * else, whole, to the default provider (else the first enabled one). A model the chosen provider's
     * discovered list lacks (compared without a {@code models/} prefix, which some lists carry) is a 404
     * naming the closest known ids, unless the provider forwards unlisted models; while a provider's list is
     * unknown (never discovered, or empty) its models are forwarded as asked. A routed model's public name is its
     * {@code provider/model} id, the same in the log, the analytics, the metrics and {@code /v1/models}.
     */
    public Route resolve(String requested) {
        return plan(requested).first();
    }

    /**
     * Resolves as {@link #resolve} does, to every route the request may take: an alias's targets under
     * the active profile, grouped by their order (targets of disabled providers and, unless the alias
     * itself is allowed, targets off the allow-list left out); anything else, one route.
     */
    public RoutePlan plan(String requested) {
        String model = requested == null || requested.isBlank() ? defaultModel : requested.trim();
        if (model == null) {
            throw GatewayException.invalidRequest("model", "You must provide a model parameter.");
        }
        RoutePlan plan = aliases.containsKey(model) ? planAlias(model) : RoutePlan.of(resolveModel(model));
        RoutePlan allowed = plan.filter(this::isAllowed);
        if (allowed == null) {
            throw GatewayException.modelNotAllowed(model);
        }
        return allowed;
    }

    private RoutePlan planAlias(String alias) {
        List<AliasTarget> targets = aliases.get(alias).stream().filter(t -> t.profile().equals(activeProfile)).toList();
        if (targets.isEmpty()) {
            throw new GatewayException(404, "invalid_request_error", "model_not_found", "model",
                    "The alias '" + alias + "' has no target for the active profile '" + activeProfile + "'.");
        }
        java.util.TreeMap<Integer, List<RoutePlan.Candidate>> groups = new java.util.TreeMap<>();
        for (AliasTarget t : targets) {
            ProviderTarget provider = providers.get(t.provider());
            if (provider != null) {
                groups.computeIfAbsent(t.order(), k -> new ArrayList<>())
                        .add(new RoutePlan.Candidate(new Route(provider, t.model(), alias), t.weight()));
            }
        }
        if (groups.isEmpty()) {
            throw unavailableProvider(alias, targets.get(0).provider());
        }
        return new RoutePlan(alias, new ArrayList<>(groups.values()));
    }

    private Route resolveModel(String model) {
        int slash = model.indexOf('/');
        ProviderTarget provider = null;
        String upstream = model;
        if (slash > 0) {
            String prefix = model.substring(0, slash);
            if (providers.containsKey(prefix)) {
                provider = providers.get(prefix);
                upstream = model.substring(slash + 1);
            } else if (disabledProviders.contains(prefix)) {
                throw unavailableProvider(model, prefix);
            }
        }
        if (provider == null) {
            provider = fallbackProvider(model);
        }
        Set<String> known = knownModels.getOrDefault(provider.name(), Set.of());
        if (!known.isEmpty() && !known.contains(ModelNames.listed(upstream)) && !provider.forwardsUnlistedModels()) {
            throw unknownModel(model, provider.name());
        }
        return new Route(provider, upstream, provider.name() + "/" + upstream);
    }

    private GatewayException unknownModel(String model, String provider) {
        List<String> close = ModelNames.closest(model, modelIds, 3);
        return new GatewayException(404, "invalid_request_error", "model_not_found", "model",
                "The model '" + model + "' is not in the model list of provider '" + provider + "'"
                        + (close.isEmpty() ? "." : "; did you mean " + String.join(", ", close) + "?")
                        + " GET /v1/models lists every model; an administrator can let this provider forward"
                        + " models it does not list (forward_unlisted_models).");
    }

    private ProviderTarget fallbackProvider(String model) {
        if (defaultProvider != null && providers.containsKey(defaultProvider)) {
            return providers.get(defaultProvider);
        }
        return providers.values().stream().findFirst().orElseThrow(() -> new GatewayException(404,
                "invalid_request_error", "model_not_found", "model",
                "No enabled provider can serve the model '" + model + "'."));
    }

    private static GatewayException unavailableProvider(String model, String provider) {
        return new GatewayException(404, "invalid_request_error", "model_not_found", "model",
                "The model '" + model + "' needs provider '" + provider + "', which is not enabled.");
    }

    /** Whether the global allow-list lets {@code route} through. */
    public boolean isAllowed(Route route) {
        return allowedModels.isEmpty()
                || allowedModels.contains(route.publicModel())
                || allowedModels.contains(route.qualifiedModel())
                || allowedModels.contains(route.upstreamModel());
    }

    /** Every model a client may ask for: discovered {@code provider/model} ids and aliases, sorted by id. */
    public List<ModelEntry> models() {
        return models;
    }

    /** Whether {@code id} is one of {@link #models()}. */
    public boolean knows(String id) {
        return modelIds.contains(id);
    }

    private List<ModelEntry> listModels() {
        List<ModelEntry> result = new ArrayList<>();
        providers.keySet().forEach(provider -> discoveredModels.getOrDefault(provider, List.of()).forEach(model -> {
            String id = provider + "/" + model;
            if (allowedModels.isEmpty() || allowedModels.contains(id) || allowedModels.contains(model)) {
                result.add(new ModelEntry(id, provider, created));
            }
        }));
        aliases.forEach((alias, targets) -> targets.stream()
                .filter(t -> t.profile().equals(activeProfile) && providers.containsKey(t.provider()))
                .filter(t -> isAllowed(new Route(providers.get(t.provider()), t.model(), alias)))
                .findFirst()
                .ifPresent(t -> result.add(new ModelEntry(alias, "tokenrouter", created))));
        result.sort(java.util.Comparator.comparing(ModelEntry::id));
        return result;
    }

    public Optional<ModelEntry> model(String id) {
        return models.stream().filter(m -> m.id().equals(id)).findFirst();
    }

    public java.util.Collection<ProviderTarget> providers() {
        return providers.values();
    }

    public Optional<ProviderTarget> provider(String name) {
        return Optional.ofNullable(providers.get(name));
    }

    /** Whether conversations are captured for every key (the global switch). */
    public boolean conversationsEnabled() {
        return conversationsEnabled;
    }

    public String activeProfile() {
        return activeProfile;
    }
}
