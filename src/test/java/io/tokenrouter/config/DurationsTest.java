package io.tokenrouter.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DurationsTest {

    @ParameterizedTest(name = "''{0}'' is {1}")
    @CsvSource({
            "500ms, PT0.5S",
            "10s, PT10S",
            "5m, PT5M",
            "8h, PT8H",
            "7d, PT168H",
            "30, PT30S",
            "0, PT0S",
            "'  2 M ', PT2M",
            "1500MS, PT1.5S",
    })
    void parsesEveryUnit(String text, Duration expected) {
        assertThat(Durations.parse("some_setting", text)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "''{0}''")
    @ValueSource(strings = {"", "soon", "-5s", "1.5s", "10 seconds", "5w", "PT5S", "s"})
    void rejectsAnythingElseNamingTheSetting(String text) {
        assertThatThrownBy(() -> Durations.parse("read_timeout", text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("read_timeout must be a duration")
                .hasMessageContaining("'" + text + "'");
    }
}
