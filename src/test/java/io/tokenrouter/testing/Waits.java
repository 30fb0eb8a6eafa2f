package io.tokenrouter.testing;

import java.time.Duration;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;

/**
 * How tests wait for what happens in the background (a log row written, a cache refreshed, an event recorded):
 * Awaitility, trying at once and then every 50 ms until {@code atMost}, failing with what was awaited and the
 * last value seen. A fixed sleep is left only where a real delay is the thing tested.
 */
public final class Waits {

    private Waits() {
    }

    public static ConditionFactory await(String what, Duration atMost) {
        return Awaitility.await(what).atMost(atMost).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(50));
    }
}
