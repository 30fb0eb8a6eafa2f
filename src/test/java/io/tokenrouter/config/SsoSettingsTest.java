package io.tokenrouter.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code [sso]} table: what it takes, what overrides it, and what is refused at start. */
class SsoSettingsTest {

    @TempDir
    Path home;

    private final Map<String, String> properties = new HashMap<>();
    private final Map<String, String> environment = new HashMap<>();

    private GatewaySettings load(String toml) throws IOException {
        Files.writeString(home.resolve(GatewaySettings.TOML_FILE), toml);
        properties.put("tokenrouter.home", home.toString());
        return GatewaySettings.load(properties, environment);
    }

    @Test
    void isOffWithoutAnIssuerAndClient() throws IOException {
        assertThat(load("default_model = \"gpt-4o\"\n").sso()).isEmpty();
    }

    @Test
    void readsTheTableWithItsDefaults() throws IOException {
        SsoSettings sso = load("""
                [sso]
                issuer = "https://login.example.com/realms/acme"
                client_id = "tokenrouter"
                client_secret = "s3cret"
                admin_groups = ["gw-admins"]
                keymaster_groups = "gw-keymasters, gw-leads"
                allowed_email_domains = ["@Example.com"]
                public_url = "https://gw.example.com/"
                """).sso().orElseThrow();
        assertThat(sso.issuer().toString()).isEqualTo("https://login.example.com/realms/acme");
        assertThat(sso.clientSecret()).contains("s3cret");
        assertThat(sso.scopes()).containsExactly("openid", "profile", "email");
        assertThat(sso.groupsClaim()).isEqualTo("groups");
        assertThat(sso.keymasterGroups()).containsExactly("gw-keymasters", "gw-leads");
        assertThat(sso.publicUrl().orElseThrow().toString()).isEqualTo("https://gw.example.com");
        assertThat(sso.clockSkew()).isEqualTo(Duration.ofSeconds(60));
        assertThat(sso.logoutAtProvider()).isTrue();
        assertThat(sso.emailAllowed("ada@example.COM")).isTrue();
        assertThat(sso.emailAllowed("ada@example.com.evil.test")).isFalse();
        assertThat(sso.emailAllowed("ada")).isFalse();
        assertThat(sso.toString()).doesNotContain("s3cret");
    }

    @Test
    void variablesAndPropertiesOverrideTheTable() throws IOException {
        environment.put("TOKENROUTER_SSO_CLIENT_SECRET", "from-the-environment");
        environment.put("TOKENROUTER_CLIENT_ID", "not-an-sso-setting");
        properties.put("tokenrouter.sso.scopes", "openid,groups");
        SsoSettings sso = load("""
                [sso]
                issuer = "http://127.0.0.1:8180/realms/dev"
                client_id = "tokenrouter"
                client_secret = "from-the-file"
                admin_groups = ["gw-admins"]
                """).sso().orElseThrow();
        assertThat(sso.clientSecret()).contains("from-the-environment");
        assertThat(sso.clientId()).isEqualTo("tokenrouter");
        assertThat(sso.scopes()).containsExactly("openid", "groups");
    }

    @Test
    void anAdminGroupWinsOverAKeymasterGroup() throws IOException {
        SsoSettings sso = load("""
                [sso]
                issuer = "https://login.example.com"
                client_id = "tokenrouter"
                admin_groups = ["a"]
                keymaster_groups = ["k"]
                scopes = ["profile"]
                """).sso().orElseThrow();
        assertThat(sso.roleFor(List.of("k", "a"))).contains("admin");
        assertThat(sso.roleFor(List.of("k"))).contains("keymaster");
        assertThat(sso.roleFor(List.of("x"))).isEmpty();
        assertThat(sso.scopes()).as("openid is always asked for").containsExactly("openid", "profile");
    }

    @Test
    void refusesHalfAConfigurationPlainHttpElsewhereAndNoGroups() {
        assertThatThrownBy(() -> load("[sso]\nissuer = \"https://login.example.com\"\n"))
                .hasMessageContaining("sso.client_id");
        assertThatThrownBy(() -> load("[sso]\nissuer = \"http://login.example.com\"\nclient_id = \"c\"\n"
                + "admin_groups = [\"a\"]\n")).hasMessageContaining("https");
        assertThatThrownBy(() -> load("[sso]\nissuer = \"https://login.example.com\"\nclient_id = \"c\"\n"))
                .hasMessageContaining("admin_groups");
        assertThatThrownBy(() -> load("[sso]\nissuer = \"login.example.com\"\nclient_id = \"c\"\n"
                + "admin_groups = [\"a\"]\n")).hasMessageContaining("http(s) URL");
        assertThatThrownBy(() -> load("sso = \"on\"\n")).hasMessageContaining("[sso]");
        assertThatThrownBy(() -> load("[sso]\nissuer = \"https://login.example.com\"\nclient_id = \"c\"\n"
                + "admin_groups = [\"a\"]\nclock_skew = \"1h\"\n")).hasMessageContaining("clock_skew");
    }
}
