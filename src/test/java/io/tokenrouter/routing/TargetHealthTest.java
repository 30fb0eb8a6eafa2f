package io.tokenrouter.routing;

import static org.assertj.core.api.Assertions.assertThat;

import io.tokenrouter.config.GatewaySettings;
import io.tokenrouter.config.Scheduler;
import io.tokenrouter.events.EventLog;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Cool-downs: after repeated failures or a 429 with Retry-After, with a back-off, announced once each way. */
class TargetHealthTest {

    @TempDir
    Path home;

    private final List<String> events = new CopyOnWriteArrayList<>();
    private final java.util.concurrent.atomic.AtomicLong nanos = new java.util.concurrent.atomic.AtomicLong(1_000_000_000L);
    private TargetHealth health;

    /** Moves the health's time forward (never sleeps: the test decides what time it is). */
    private void elapse(long millis) {
        nanos.addAndGet(millis * 1_000_000L);
    }

    @BeforeEach
    void setUp() {
        health = new TargetHealth();
        health.nanoTime = nanos::get;
        health.clock = new java.time.Clock() {
            @Override
            public java.time.ZoneId getZone() {
                return java.time.ZoneOffset.UTC;
            }

            @Override
            public java.time.Clock withZone(java.time.ZoneId zone) {
                return this;
            }

            @Override
            public java.time.Instant instant() {
                return java.time.Instant.ofEpochSecond(0, nanos.get());
            }
        };
        health.settings = GatewaySettings.load(Map.of("tokenrouter.home", home.toString(),
                "tokenrouter.cooldown_failures", "3", "tokenrouter.cooldown_window", "10s",
                "tokenrouter.cooldown", "200ms", "tokenrouter.cooldown_max", "1s"), Map.of());
        health.scheduler = new Scheduler();
        health.events = new EventLog() {
            @Override
            public void warn(String category, String actor, String message) {
                events.add("warn " + message);
            }

            @Override
            public void info(String category, String actor, String message) {
                events.add("info " + message);
            }
        };
    }

    @Test
    void threeFailuresInTheWindowCoolATargetDownWithADoublingBackOff() {
        health.failed("a/m", 503, null);
        health.failed("a/m", 0, null);
        assertThat(health.cooling("a/m")).isFalse();
        health.failed("a/m", 502, null);
        assertThat(health.cooling("a/m")).isTrue();
        assertThat(health.view()).singleElement().satisfies(v -> {
            assertThat(v.state()).isEqualTo("cooling_down");
            assertThat(v.reason()).contains("3 failures within 10 s", "HTTP 502");
        });

        elapse(199);
        assertThat(health.cooling("a/m")).isTrue();
        elapse(1);
        assertThat(health.cooling("a/m")).as("200 ms the first time").isFalse();
        health.announceEnds();
        for (int i = 0; i < 3; i++) {
            health.failed("a/m", 500, null);
        }
        assertThat(health.cooling("a/m")).isTrue();
        elapse(399);
        assertThat(health.cooling("a/m")).as("400 ms the second time in a row").isTrue();
        elapse(1);
        assertThat(health.cooling("a/m")).isFalse();

        assertThat(events).containsExactly("warn Target a/m cools down for 200ms: 3 failures within 10 s (last: HTTP 502)",
                "info Target a/m's cool-down ended; it is tried again",
                "warn Target a/m cools down for 400ms: 3 failures within 10 s (last: HTTP 500)");
    }

    @Test
    void a429WithRetryAfterCoolsDownForThatLongCappedAtTheMaximum() {
        health.failed("b/m", 429, Duration.ofSeconds(30));
        assertThat(health.cooling("b/m")).isTrue();
        assertThat(health.view().get(0).coolingUntil()).isEqualTo(health.clock.instant().plusSeconds(1));
        assertThat(events).singleElement().asString().contains("cools down for 1s", "Retry-After 30 s");
    }

    @Test
    void aSuccessEndsTheStreakAndIsAnnouncedWhenItEndsACoolDown() {
        health.failed("c/m", 429, Duration.ofSeconds(1));
        health.succeeded("c/m");
        assertThat(health.cooling("c/m")).isFalse();
        assertThat(health.view()).isEmpty();
        assertThat(events).hasSize(2).last().asString().contains("answers again");
        health.failed("c/m", 500, null);
        assertThat(health.cooling("c/m")).isFalse();
    }

    @Test
    void aRefusedPoolKeyCoolsDownAtOnceA401ForTheLongest() {
        health.keyRefused("p key 1", 401, null);
        health.keyRefused("p key 2", 429, null);
        assertThat(health.cooling("p key 1")).isTrue();
        assertThat(health.cooling("p key 2")).isTrue();
        assertThat(events).containsExactly("warn Target p key 1 cools down for 1s: HTTP 401",
                "warn Target p key 2 cools down for 200ms: HTTP 429");
    }
}
