package io.tokenrouter.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tokenrouter.api.GatewayException;
import io.tokenrouter.config.GatewaySettings;
import io.tokenrouter.store.Setting;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class OperationsTest {

    private static final GatewaySettings FILE = GatewaySettings.load(Map.of("tokenrouter.home", "/nonexistent",
            "tokenrouter.log_retention", "30d", "tokenrouter.trusted_proxies", "10.0.0.0/8",
            "tokenrouter.alert_webhook_url", "https://hooks.example.com/file"), Map.of());

    @Test
    void storedValuesWinOverTheFilesAndMissingOnesKeepIt() {
        Operations file = Operations.of(Map.of(), FILE);
        assertThat(file.logRetention()).isEqualTo(Duration.ofDays(30));
        assertThat(file.trustedProxies()).containsExactly("10.0.0.0/8");
        assertThat(file.alertWebhookUrl()).contains("https://hooks.example.com/file");

        Operations stored = Operations.of(Map.of(Setting.LOG_RETENTION, "7d", Setting.CONVERSATION_RETENTION, "12h",
                Setting.TRUSTED_PROXIES, "192.168.0.0/16, ::1", Setting.PROVIDER_QUOTA_ALERT_SHARE, "0.25",
                Setting.ALERT_WEBHOOK_URL, "https://hooks.example.com/db"), FILE);
        assertThat(stored.logRetention()).isEqualTo(Duration.ofDays(7));
        assertThat(stored.conversationRetention()).isEqualTo(Duration.ofHours(12));
        assertThat(stored.trustedProxies()).containsExactly("192.168.0.0/16", "::1");
        assertThat(stored.providerQuotaAlertShare()).isEqualTo(0.25);
        assertThat(stored.alertWebhookUrl()).isEqualTo(Optional.of("https://hooks.example.com/db"));
    }

    @Test
    void aStoredValueThatNoLongerValidatesFallsBackToTheFile() {
        Operations broken = Operations.of(Map.of(Setting.LOG_RETENTION, "soon", Setting.TRUSTED_PROXIES, "not-an-ip",
                Setting.PROVIDER_QUOTA_ALERT_SHARE, "2", Setting.ALERT_WEBHOOK_URL, "ftp://x"), FILE);
        assertThat(broken.logRetention()).isEqualTo(Duration.ofDays(30));
        assertThat(broken.trustedProxies()).containsExactly("10.0.0.0/8");
        assertThat(broken.providerQuotaAlertShare()).isEqualTo(0.1);
        assertThat(broken.alertWebhookUrl()).contains("https://hooks.example.com/file");
    }

    @Test
    void everyFieldIsValidatedWithItsName() {
        assertRefused(() -> Operations.retention(Setting.LOG_RETENTION, "10m"), Setting.LOG_RETENTION);
        assertRefused(() -> Operations.retention(Setting.LOG_RETENTION, "99999999999999999999d"), Setting.LOG_RETENTION);
        assertRefused(() -> Operations.retention(Setting.CONVERSATION_RETENTION, "4000d"), Setting.CONVERSATION_RETENTION);
        assertRefused(() -> Operations.proxies(List.of("10.0.0.0/33")), Setting.TRUSTED_PROXIES);
        assertRefused(() -> Operations.proxies(List.of("proxy.example.com")), Setting.TRUSTED_PROXIES);
        assertRefused(() -> Operations.share(-0.1), Setting.PROVIDER_QUOTA_ALERT_SHARE);
        assertRefused(() -> Operations.share(Double.NaN), Setting.PROVIDER_QUOTA_ALERT_SHARE);
        assertRefused(() -> Operations.webhook("javascript:alert(1)"), Setting.ALERT_WEBHOOK_URL);
        assertRefused(() -> Operations.webhook("https://"), Setting.ALERT_WEBHOOK_URL);
        assertThat(Operations.retention(Setting.LOG_RETENTION, "1h")).isEqualTo(Duration.ofHours(1));
        assertThat(Operations.webhook(" https://hooks.example.com/x?token=1 ")).isEqualTo("https://hooks.example.com/x?token=1");
    }

    private static void assertRefused(Runnable call, String param) {
        assertThatThrownBy(call::run).isInstanceOfSatisfying(GatewayException.class, e -> {
            assertThat(e.status()).isEqualTo(400);
            assertThat(e.param()).isEqualTo(param);
        });
    }
}
