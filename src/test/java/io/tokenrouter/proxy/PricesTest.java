package io.tokenrouter.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tokenrouter.api.GatewayException;
import io.tokenrouter.routing.ProviderTarget;
import io.tokenrouter.routing.Route;
import io.tokenrouter.routing.RoutePlan;
import io.tokenrouter.routing.RoutePlan.Candidate;
import io.tokenrouter.store.PriceRepository.Price;
import io.tokenrouter.store.QuotaRepository.Amounts;
import io.tokenrouter.upstream.AuthStyle;
import io.tokenrouter.usage.PriceBook;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A request under a budget reserves at the dearest prices it can be charged at; an unpriced model is refused. */
class PricesTest {

    private static Route route(String provider, String model) {
        return new Route(new ProviderTarget(provider, URI.create("https://" + provider + ".example/v1"), "k",
                AuthStyle.BEARER, Duration.ofSeconds(3), Duration.ofSeconds(60)), model, "smart");
    }

    private static final PriceBook BOOK = new PriceBook(List.of(
            new Price("", "cheap", 150_000, 600_000, 75_000),
            new Price("b", "dear", 2_500_000, 10_000_000, 1_250_000, 3_125_000, 12_000_000)));

    @Test
    void theDearestRouteAndDearestPartDecide() {
        RoutePlan plan = new RoutePlan("smart", List.of(List.of(new Candidate(route("a", "cheap"), 1)),
                List.of(new Candidate(route("b", "dear"), 1))));

        Prices worst = Prices.worstOf(plan, BOOK);

        assertThat(worst).isEqualTo(new Prices(3_125_000, 12_000_000));
        // 1,000 prompt tokens at $3.125/M and 500 completion tokens at $12/M: 3,125 + 6,000 micros
        assertThat(worst.ask(1000, 500)).isEqualTo(new Amounts(1, 1500, 9_125));
        // a fraction of a micro-dollar is rounded up, never down to free
        assertThat(new Prices(150_000, 600_000).ask(1, 0).cost()).isEqualTo(1);
        assertThat(worst.ask(Long.MAX_VALUE, Long.MAX_VALUE).cost()).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void aRouteWithoutAPriceIsRefusedNamingIt() {
        RoutePlan plan = new RoutePlan("smart", List.of(List.of(new Candidate(route("a", "cheap"), 1),
                new Candidate(route("c", "unpriced-model"), 1))));

        assertThatThrownBy(() -> Prices.worstOf(plan, BOOK)).isInstanceOfSatisfying(GatewayException.class, e -> {
            assertThat(e.status()).isEqualTo(403);
            assertThat(e.code()).isEqualTo("price_missing");
            assertThat(e.getMessage()).contains("'c/unpriced-model' has no price");
        });
    }

    /** Models the provider may fall back to ({@code models}) are priced like the plan's own: an unpriced one is refused. */
    @Test
    void theProvidersOwnFallbacksArePricedToo() throws Exception {
        RoutePlan plan = RoutePlan.of(route("b", "dear"));
        com.fasterxml.jackson.databind.node.ObjectNode body = (com.fasterxml.jackson.databind.node.ObjectNode)
                io.tokenrouter.api.Json.parse("{\"model\":\"b/dear\",\"models\":[\"cheap\",\"unpriced-model\"]}"
                        .getBytes(java.nio.charset.StandardCharsets.UTF_8));

        List<Route> routes = Forwarder.routesIncludingProviderFallbacks(plan, body);

        assertThat(routes).extracting(Route::qualifiedModel).containsExactly("b/dear", "b/cheap", "b/unpriced-model");
        assertThatThrownBy(() -> Prices.worstOf(routes, BOOK)).isInstanceOfSatisfying(GatewayException.class,
                e -> assertThat(e.getMessage()).contains("'b/unpriced-model' has no price"));
    }

    /** An Anthropic provider may write the whole prompt to its 1-hour cache: the reservation is at that price. */
    @Test
    void anAnthropicRouteReservesThePromptAtTheHourCacheWritePrice() {
        Route anthropic = new Route(new ProviderTarget("claude", URI.create("https://api.anthropic.com/v1"), "k",
                AuthStyle.ANTHROPIC, Duration.ofSeconds(3), Duration.ofSeconds(60)), "dear", "smart");
        assertThat(Prices.worstOf(RoutePlan.of(anthropic), new PriceBook(List.of(
                new Price("", "dear", 2_500_000, 10_000_000, 1_250_000, 3_125_000, 12_000_000)))))
                .isEqualTo(new Prices(5_000_000, 12_000_000));
    }

    @Test
    void aDatedModelIsPricedAsItsFamily() {
        assertThat(Prices.worstOf(RoutePlan.of(route("a", "cheap-2025-01-31")), BOOK)).isEqualTo(new Prices(150_000, 600_000));
    }
}
