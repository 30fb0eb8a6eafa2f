package io.tokenrouter.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tokenrouter.api.GatewayException;
import io.tokenrouter.testing.TestClock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The sign-in throttle by its clock: bursts, refills and the overall limit, without waiting for time to pass. */
class SignInThrottleTest {

    private final TestClock clock = new TestClock();
    private final SignInThrottle throttle = new SignInThrottle();

    {
        throttle.clock = clock;
    }

    @Test
    void anAddressGetsItsBurstThenOneAttemptPerRefill() {
        for (int i = 0; i < SignInThrottle.PER_CLIENT_BURST; i++) {
            throttle.attempt("198.51.100.7");
        }
        assertThatThrownBy(() -> throttle.attempt("198.51.100.7")).isInstanceOfSatisfying(GatewayException.class, e -> {
            assertThat(e.status()).isEqualTo(429);
            assertThat(e.code()).isEqualTo("too_many_sign_in_attempts");
            assertThat(e.retryAfter()).isEqualTo(SignInThrottle.PER_CLIENT_REFILL);
        });
        throttle.attempt("198.51.100.8"); // another address is not held back

        clock.advance(SignInThrottle.PER_CLIENT_REFILL.minusSeconds(1));
        assertThatThrownBy(() -> throttle.attempt("198.51.100.7")).isInstanceOf(GatewayException.class);
        clock.advance(Duration.ofSeconds(1));
        throttle.attempt("198.51.100.7");
        assertThatThrownBy(() -> throttle.attempt("198.51.100.7")).isInstanceOf(GatewayException.class);
    }

    @Test
    void theNodeAsAWholeTakesItsBurstThenAFewASecond() {
        int address = 0;
        for (int i = 0; i < SignInThrottle.OVERALL_BURST; i++) {
            throttle.attempt("203.0.113." + address++);
        }
        assertThatThrownBy(() -> throttle.attempt("203.0.113." + 200))
                .isInstanceOfSatisfying(GatewayException.class, e -> assertThat(e.getMessage()).contains("on this server"));

        clock.advance(Duration.ofSeconds(1));
        for (int i = 0; i < SignInThrottle.OVERALL_PER_SECOND; i++) {
            throttle.attempt("203.0.113." + address++);
        }
        assertThatThrownBy(() -> throttle.attempt("203.0.113." + 201)).isInstanceOf(GatewayException.class);
    }

    @Test
    void aClockThatStepsBackNeitherRefillsNorBreaks() {
        for (int i = 0; i < SignInThrottle.PER_CLIENT_BURST; i++) {
            throttle.attempt("192.0.2.1");
        }
        clock.advance(Duration.ofHours(-1));
        assertThatThrownBy(() -> throttle.attempt("192.0.2.1")).isInstanceOf(GatewayException.class);
    }
}
