package io.tokenrouter.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.tokenrouter.routing.ProviderTarget;
import io.tokenrouter.routing.Route;
import io.tokenrouter.routing.RoutePlan;
import io.tokenrouter.routing.RoutePlan.Candidate;
import io.tokenrouter.upstream.AuthStyle;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** How a request's first target is drawn: by weight within the first group, skipping targets cooling down. */
class AttemptsTest {

    private static final int DRAWS = 100_000;

    private static Route route(String provider) {
        return new Route(new ProviderTarget(provider, URI.create("https://" + provider + ".example/v1"), "k",
                AuthStyle.BEARER, Duration.ofSeconds(3), Duration.ofSeconds(60)), "gpt-4o", "smart");
    }

    /** Target health as a set of targets cooling down. */
    private static AttemptReports cooling(Set<String> targets) {
        return new AttemptReports() {
            @Override
            public boolean cooling(Route route) {
                return targets.contains(route.provider().name());
            }
        };
    }

    @Test
    void weightsSplitTheDrawsWithinTheFirstGroup() {
        Route a = route("a");
        Route b = route("b");
        RoutePlan plan = new RoutePlan("smart", List.of(List.of(new Candidate(a, 3), new Candidate(b, 1)),
                List.of(new Candidate(route("c"), 1))));
        int toA = 0;
        for (int i = 0; i < DRAWS; i++) {
            Route first = new Attempts(plan, cooling(Set.of())).first(0);
            assertThat(first).isIn(a, b);
            toA += first == a ? 1 : 0;
        }
        // 3:1 is 75 %; one point is over seven standard deviations of 100,000 draws
        assertThat(toA / (double) DRAWS).isBetween(0.74, 0.76);
    }

    @Test
    void aTargetCoolingDownIsDrawnOnlyWhenNoHealthyOneIsLeft() {
        Route a = route("a");
        Route b = route("b");
        RoutePlan plan = new RoutePlan("smart", List.of(List.of(new Candidate(a, 100), new Candidate(b, 1))));
        for (int i = 0; i < 1_000; i++) {
            assertThat(new Attempts(plan, cooling(Set.of("a"))).first(0)).isSameAs(b);
        }
        assertThat(new Attempts(plan, cooling(Set.of("a", "b"))).first(0)).isIn(a, b);
    }
}
