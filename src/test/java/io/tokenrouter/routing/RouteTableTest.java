package io.tokenrouter.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.tokenrouter.api.GatewayException;
import io.tokenrouter.upstream.AuthStyle;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RouteTableTest {

    private static final long CREATED = 1_700_000_000L;

    private static ProviderTarget provider(String name) {
        return new ProviderTarget(name, URI.create("https://" + name + ".example/v1"), "key-" + name,
                AuthStyle.BEARER, Duration.ofSeconds(1), Duration.ofSeconds(30));
    }

    /** Builder-ish state for one table; each test changes only what it is about. */
    private List<ProviderTarget> enabled = List.of(provider("openai"), provider("groq"));
    private Set<String> disabled = Set.of("off");
    private Map<String, List<AliasTarget>> aliases = Map.of(
            "smart", List.of(new AliasTarget("primary", "openai", "gpt-4o"),
                    new AliasTarget("backup", "groq", "llama-3.3-70b")),
            "cheap", List.of(new AliasTarget("backup", "groq", "llama-3.1-8b")),
            "legacy", List.of(new AliasTarget("primary", "off", "gpt-3.5-turbo")));
    private String activeProfile = "primary";
    private String defaultProvider = "groq";
    private String defaultModel = "openai/gpt-4o-mini";
    private Set<String> allowed = Set.of();
    private Map<String, List<String>> discovered = Map.of(
            "openai", List.of("gpt-4o", "gpt-4o-mini"),
            "groq", List.of("llama-3.3-70b"),
            "off", List.of("gpt-3.5-turbo"));

    private RouteTable table() {
        return new RouteTable(enabled, disabled, aliases, activeProfile, defaultProvider, defaultModel, allowed,
                discovered, CREATED, false);
    }

    private static GatewayException failure(RouteTable table, String model) {
        GatewayException e = catchThrowableOfType(GatewayException.class, () -> table.resolve(model));
        assertThat(e).as("resolving '%s' should fail", model).isNotNull();
        return e;
    }

    private static List<String> ids(List<ModelEntry> entries) {
        return entries.stream().map(ModelEntry::id).toList();
    }

    @ParameterizedTest(name = "{0}: ''{1}'' -> {2} / {3}")
    @CsvSource(delimiter = '|', textBlock = """
            provider prefix                          | openai/gpt-4o                  | openai | gpt-4o
            other provider prefix                    | groq/llama-3.3-70b             | groq   | llama-3.3-70b
            only the first slash splits              | openai/ft:gpt-4o/org/x         | openai | ft:gpt-4o/org/x
            unprefixed goes to the default provider  | gpt-4o                         | groq   | gpt-4o
            unknown prefix is a bare model           | meta-llama/Llama-3-8b-Instruct | groq   | meta-llama/Llama-3-8b-Instruct
            leading slash is not a prefix            | /gpt-4o                        | groq   | /gpt-4o
            surrounding blanks are trimmed           | '  openai/gpt-4o  '            | openai | gpt-4o
            """)
    void routesByProviderPrefixOrToTheDefaultProvider(String description, String requested, String provider,
                                                      String upstreamModel) {
        discovered = Map.of(); // no provider has reported its models: everything is forwarded as asked

        Route route = table().resolve(requested);

        assertThat(route.provider().name()).isEqualTo(provider);
        assertThat(route.upstreamModel()).isEqualTo(upstreamModel);
        assertThat(route.publicModel()).as("one name everywhere: the provider/model id")
                .isEqualTo(provider + "/" + upstreamModel);
        assertThat(route.qualifiedModel()).isEqualTo(provider + "/" + upstreamModel);
    }

    /** Issue 8: an unknown model is a 404 with suggestions, not a call the provider refuses. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            typo of a known model           | openai/gpt-4o-mni  | openai/gpt-4o-mini
            bare model the default lacks    | gpt-4o             | openai/gpt-4o
            a provider that does not exist  | openia/gpt-4o      | openai/gpt-4o
            nothing close                   | gpt-5-nonexistent  | ''
            """)
    void aModelMissingFromTheProvidersKnownListIsA404NamingCloseMatches(String description, String requested,
                                                                       String suggestion) {
        GatewayException e = failure(table(), requested);

        assertThat(e.status()).isEqualTo(404);
        assertThat(e.code()).isEqualTo("model_not_found");
        assertThat(e.param()).isEqualTo("model");
        assertThat(e.getMessage()).contains("'" + requested + "'");
        if (suggestion == null || suggestion.isEmpty()) {
            assertThat(e.getMessage()).doesNotContain("did you mean");
        } else {
            assertThat(e.getMessage()).contains("did you mean " + suggestion);
        }
    }

    @Test
    void aProviderWhoseModelsAreUnknownIsForwardedAnyModel() {
        discovered = Map.of("openai", List.of("gpt-4o"));

        assertThat(table().resolve("groq/any-model-at-all").qualifiedModel()).isEqualTo("groq/any-model-at-all");
        assertThat(failure(table(), "openai/any-model-at-all").status()).isEqualTo(404);
    }

    /** Issue 24, item 7: a provider known to list only part of what it serves forwards the rest as asked. */
    @Test
    void aProviderThatForwardsUnlistedModelsRoutesAModelItDoesNotList() {
        enabled = List.of(new ProviderTarget("openai", URI.create("https://openai.example/v1"), "key-openai",
                AuthStyle.BEARER, Duration.ofSeconds(1), Duration.ofSeconds(30), List.of(), true), provider("groq"));

        Route route = table().resolve("openai/ft:gpt-4o-mini:acme::abc123");

        assertThat(route.upstreamModel()).isEqualTo("ft:gpt-4o-mini:acme::abc123");
        assertThat(route.qualifiedModel()).isEqualTo("openai/ft:gpt-4o-mini:acme::abc123");
        assertThat(failure(table(), "groq/not-listed").getMessage()).contains("forward_unlisted_models");
    }

    /** Gemini's OpenAI-compatible list names its models {@code models/…}; either spelling is the listed model. */
    @Test
    void aModelIsFoundWithOrWithoutTheModelsPrefixOfItsList() {
        discovered = Map.of("openai", List.of("gemini-2.0-flash"), "groq", List.of("llama-3.3-70b"));

        assertThat(table().resolve("openai/gemini-2.0-flash").upstreamModel()).isEqualTo("gemini-2.0-flash");
        assertThat(table().resolve("openai/models/gemini-2.0-flash").upstreamModel()).isEqualTo("models/gemini-2.0-flash");
        assertThat(failure(table(), "openai/models/").status()).isEqualTo(404);
    }

    @Test
    void routesUnprefixedModelToTheFirstEnabledProviderWithoutADefaultProvider() {
        defaultProvider = null;

        assertThat(table().resolve("gpt-4o").provider().name()).isEqualTo("openai");
    }

    @Test
    void routesUnprefixedModelToTheFirstEnabledProviderWhenTheDefaultProviderIsDisabled() {
        defaultProvider = "off";
        discovered = Map.of();
        enabled = List.of(provider("groq"), provider("openai"));

        assertThat(table().resolve("gpt-4o").provider().name()).isEqualTo("groq");
    }

    @Test
    void rejectsUnprefixedModelWith404WhenNoProviderIsEnabled() {
        enabled = List.of();

        GatewayException e = failure(table(), "gpt-4o");

        assertThat(e.status()).isEqualTo(404);
        assertThat(e.code()).isEqualTo("model_not_found");
        assertThat(e.param()).isEqualTo("model");
    }

    @Test
    void rejectsDisabledProviderPrefixWith404() {
        GatewayException e = failure(table(), "off/gpt-3.5-turbo");

        assertThat(e.status()).isEqualTo(404);
        assertThat(e.type()).isEqualTo("invalid_request_error");
        assertThat(e.code()).isEqualTo("model_not_found");
        assertThat(e.param()).isEqualTo("model");
        assertThat(e.getMessage()).contains("'off'");
    }

    @ParameterizedTest(name = "requested model [{0}]")
    @CsvSource(value = {"NULL", "''", "'   '"}, nullValues = "NULL")
    void usesTheDefaultModelWhenNoneIsRequested(String requested) {
        Route route = table().resolve(requested);

        assertThat(route.provider().name()).isEqualTo("openai");
        assertThat(route.upstreamModel()).isEqualTo("gpt-4o-mini");
        assertThat(route.publicModel()).isEqualTo("openai/gpt-4o-mini");
    }

    @ParameterizedTest(name = "requested model [{0}]")
    @CsvSource(value = {"NULL", "''", "'   '"}, nullValues = "NULL")
    void rejectsMissingModelWith400WhenThereIsNoDefault(String requested) {
        defaultModel = null;

        GatewayException e = failure(table(), requested);

        assertThat(e.status()).isEqualTo(400);
        assertThat(e.type()).isEqualTo("invalid_request_error");
        assertThat(e.param()).isEqualTo("model");
    }

    @Test
    void resolvesAliasToTheActiveProfilesTarget() {
        Route route = table().resolve("smart");

        assertThat(route.provider().name()).isEqualTo("openai");
        assertThat(route.upstreamModel()).isEqualTo("gpt-4o");
        assertThat(route.publicModel()).isEqualTo("smart");
    }

    @Test
    void resolvesAliasToAnotherTargetWhenAnotherProfileIsActive() {
        activeProfile = "backup";

        Route route = table().resolve("smart");

        assertThat(route.provider().name()).isEqualTo("groq");
        assertThat(route.upstreamModel()).isEqualTo("llama-3.3-70b");
        assertThat(route.publicModel()).isEqualTo("smart");
    }

    @Test
    void resolvesDefaultModelThatIsAnAlias() {
        defaultModel = "smart";

        Route route = table().resolve(null);

        assertThat(route.qualifiedModel()).isEqualTo("openai/gpt-4o");
        assertThat(route.publicModel()).isEqualTo("smart");
    }

    @Test
    void rejectsAliasWithoutATargetInTheActiveProfileWith404() {
        GatewayException e = failure(table(), "cheap");

        assertThat(e.status()).isEqualTo(404);
        assertThat(e.code()).isEqualTo("model_not_found");
        assertThat(e.getMessage()).contains("'cheap'", "'primary'");
    }

    @Test
    void rejectsAliasPointingAtADisabledProviderWith404() {
        GatewayException e = failure(table(), "legacy");

        assertThat(e.status()).isEqualTo(404);
        assertThat(e.code()).isEqualTo("model_not_found");
        assertThat(e.getMessage()).contains("'off'");
    }

    @ParameterizedTest(name = "{0}: ''{2}'' with allow-list [{1}]")
    @CsvSource(delimiter = '|', textBlock = """
            public name                  | openai/gpt-4o       | openai/gpt-4o
            provider/model of bare model | groq/gpt-4o         | gpt-4o
            bare upstream model          | gpt-4o              | openai/gpt-4o
            alias by its name            | smart               | smart
            alias by its target          | openai/gpt-4o       | smart
            alias by its upstream model  | gpt-4o              | smart
            default model                | openai/gpt-4o-mini  | ''
            """)
    void allowsModelsOnTheAllowList(String description, String allowList, String requested) {
        allowed = Set.of(allowList, "something-else");
        discovered = Map.of();

        assertThat(table().resolve(requested)).isNotNull();
    }

    @ParameterizedTest(name = "{0}: ''{2}'' with allow-list [{1}]")
    @CsvSource(delimiter = '|', textBlock = """
            other model                      | openai/gpt-4o      | openai/gpt-4o-mini
            same model at another provider   | openai/gpt-4o      | groq/gpt-4o
            prefix of a listed model         | openai/gpt-4o-mini | openai/gpt-4o
            alias whose target is not listed | gpt-4o-mini        | smart
            """)
    void rejectsModelsOffTheAllowListWith403(String description, String allowList, String requested) {
        allowed = Set.of(allowList);
        discovered = Map.of();

        GatewayException e = failure(table(), requested);

        assertThat(e.status()).isEqualTo(403);
        assertThat(e.code()).isEqualTo("model_not_allowed");
        assertThat(e.param()).isEqualTo("model");
        assertThat(e.getMessage()).contains("'" + requested + "'");
    }

    @Test
    void listsEnabledProvidersModelsAndUsableAliasesSorted() {
        List<ModelEntry> models = table().models();

        assertThat(ids(models)).containsExactly("groq/llama-3.3-70b", "openai/gpt-4o", "openai/gpt-4o-mini", "smart");
        assertThat(models).contains(new ModelEntry("openai/gpt-4o", "openai", CREATED),
                new ModelEntry("smart", "tokenrouter", CREATED));
    }

    @Test
    void listsAliasesOfTheActiveProfileOnly() {
        activeProfile = "backup";

        assertThat(ids(table().models())).containsExactly("cheap", "groq/llama-3.3-70b", "openai/gpt-4o",
                "openai/gpt-4o-mini", "smart");
    }

    @Test
    void listsOnlyAllowedModels() {
        allowed = Set.of("openai/gpt-4o", "llama-3.3-70b", "smart");

        assertThat(ids(table().models())).containsExactly("groq/llama-3.3-70b", "openai/gpt-4o", "smart");
    }

    @Test
    void listsNothingForAnEmptyTable() {
        assertThat(RouteTable.empty().models()).isEmpty();
    }

    @Test
    void listsEveryAliasThatResolveAllows() {
        allowed = Set.of("openai/gpt-4o");
        RouteTable table = table();

        assertThat(table.resolve("smart").qualifiedModel()).isEqualTo("openai/gpt-4o");
        assertThat(ids(table.models())).contains("smart");
    }

    @Test
    void findsOneListedModelById() {
        RouteTable table = table();

        assertThat(table.model("openai/gpt-4o")).contains(new ModelEntry("openai/gpt-4o", "openai", CREATED));
        assertThat(table.model("smart")).contains(new ModelEntry("smart", "tokenrouter", CREATED));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            never discovered         | openai/o3
            disabled provider        | off/gpt-3.5-turbo
            alias of another profile | cheap
            alias of disabled target | legacy
            bare model name          | gpt-4o
            """)
    void findsNoModelThatIsNotListed(String description, String id) {
        assertThat(table().model(id)).isEmpty();
    }

    @Test
    void findsProviderByNameAmongEnabledOnes() {
        RouteTable table = table();

        assertThat(table.provider("groq")).contains(provider("groq"));
        assertThat(table.provider("off")).isEmpty();
        assertThat(table.activeProfile()).isEqualTo("primary");
    }

    @Test
    void isNotChangedByLaterChangesToItsInputs() {
        List<ProviderTarget> providers = new java.util.ArrayList<>(List.of(provider("openai")));
        Set<String> allowList = new java.util.HashSet<>(Set.of("openai/gpt-4o"));
        RouteTable table = new RouteTable(providers, Set.of(), Map.of(), null, null, null, allowList, Map.of(), 0, false);

        providers.add(provider("groq"));
        allowList.add("groq/x");

        assertThat(table.provider("groq")).isEmpty();
        assertThat(failure(table, "groq/x").status()).isEqualTo(403);
    }

    @Test
    void anAliasWithFallbacksPlansItsTargetsByOrderWithTheirWeights() {
        aliases = Map.of("smart", List.of(
                new AliasTarget("primary", "groq", "llama-3.3-70b", 2, 1),
                new AliasTarget("primary", "openai", "gpt-4o", 1, 3),
                new AliasTarget("primary", "openai", "gpt-4o-mini", 1, 1),
                new AliasTarget("primary", "off", "gpt-3.5-turbo", 3, 1),
                new AliasTarget("backup", "groq", "llama-3.1-8b")));

        RoutePlan plan = table().plan("smart");

        assertThat(plan.publicModel()).isEqualTo("smart");
        assertThat(plan.groups()).hasSize(2).as("the disabled provider's target is left out");
        assertThat(plan.groups().get(0)).extracting(c -> c.route().qualifiedModel() + "×" + c.weight())
                .containsExactly("openai/gpt-4o×3", "openai/gpt-4o-mini×1");
        assertThat(plan.groups().get(1)).extracting(c -> c.route().qualifiedModel()).containsExactly("groq/llama-3.3-70b");
        assertThat(plan.routes()).allSatisfy(r -> assertThat(r.publicModel()).isEqualTo("smart"));
        assertThat(table().resolve("smart").qualifiedModel()).as("resolve is the plan's first").isEqualTo("openai/gpt-4o");
        assertThat(table().plan("openai/gpt-4o").size()).as("a plain model is one route").isEqualTo(1);
    }

    @Test
    void theAllowListKeepsOnlyAllowedTargetsUnlessTheAliasItselfIsAllowed() {
        aliases = Map.of("smart", List.of(new AliasTarget("primary", "openai", "gpt-4o", 1, 1),
                new AliasTarget("primary", "groq", "llama-3.3-70b", 2, 1)));
        allowed = Set.of("groq/llama-3.3-70b");
        assertThat(table().plan("smart").routes()).extracting(Route::qualifiedModel).containsExactly("groq/llama-3.3-70b");
        allowed = Set.of("smart");
        assertThat(table().plan("smart").size()).isEqualTo(2);
        allowed = Set.of("openai/gpt-4o-mini");
        assertThat(failure(table(), "smart").status()).isEqualTo(403);
    }

    @Test
    void anAliasWhoseTargetsAreAllDisabledNamesTheProvider() {
        aliases = Map.of("gone", List.of(new AliasTarget("primary", "off", "gpt-3.5-turbo", 1, 1),
                new AliasTarget("primary", "off", "gpt-4", 2, 1)));
        GatewayException e = failure(table(), "gone");
        assertThat(e.status()).isEqualTo(404);
        assertThat(e.getMessage()).contains("provider 'off'");
    }
}
