package io.tokenrouter.routing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The audit trail says which settings changed, old → new, never a raw record or a webhook's secret path. */
class RoutingServiceTest {

    private static RoutingSettings settings(String defaultModel, List<String> allowed, String webhook) {
        return new RoutingSettings("openai", defaultModel, allowed, "cloud", false, "90d", "30d", List.of(), 0.1, webhook, false, true, true);
    }

    @Test
    void aChangeNamesEachChangedSettingWithItsOldAndNewValue() {
        String changes = RoutingService.changes(settings(null, List.of(), null),
                settings("openai/gpt-4o", List.of("openai/gpt-4o", "chat"), "https://hooks.example/T0/B0/SECRET"));

        assertThat(changes).isEqualTo("default_model (none) → 'openai/gpt-4o', allowed_models (none) → openai/gpt-4o, chat,"
                + " alert_webhook_url (none) → 'https://hooks.example/…'");
        assertThat(changes).doesNotContain("RoutingSettings").doesNotContain("SECRET");
    }

    @Test
    void aWebhookWhosePathChangedIsAChangeShownWithoutItsPath() {
        assertThat(RoutingService.changes(settings("m", List.of(), "https://hooks.example/T0/OLD"),
                settings("m", List.of(), "https://hooks.example/T0/NEW")))
                .isEqualTo("alert_webhook_url 'https://hooks.example/…' → 'https://hooks.example/…'");
    }

    @Test
    void nothingChangedIsNothing() {
        assertThat(RoutingService.changes(settings("m", List.of("a"), null), settings("m", List.of("a"), null))).isEmpty();
    }
}
