package io.tokenrouter.console;

import static org.assertj.core.api.Assertions.assertThat;

import io.tokenrouter.testing.Browser;
import io.tokenrouter.testing.StandaloneGateway;
import io.tokenrouter.testing.UpstreamExtension;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A fresh installation in a real browser: the console leads to first-run setup, which needs the token from
 * the server log, shows the new admin key once, signs in with it and offers the first provider from a
 * preset with its key and a connection test (against the loopback upstream); afterwards setup is closed,
 * the admin password signs in, and wrong passwords are throttled per client address.
 */
@ExtendWith(UpstreamExtension.class)
class FirstRunIT {

    private static final String PASSWORD = "first-run-password-correct";
    private static StandaloneGateway gateway;

    @BeforeAll
    static void start() throws Exception {
        gateway = new StandaloneGateway("first-run", """
                admin_password = "%s"
                console_max_sessions = 3
                route_refresh_interval = "1s"
                model_refresh_interval = "1h"
                """.formatted(PASSWORD));
    }

    @AfterAll
    static void stop() {
        if (gateway != null) {
            gateway.close();
        }
    }

    @Test
    void setupCreatesTheFirstAdminKeyAndTheFirstProviderThenSignInIsThrottled() throws Exception {
        String upstream = "http://127.0.0.1:" + UpstreamExtension.upstream().port() + "/v1";
        try (Browser browser = new Browser(gateway.url(), "first-run", false)) {
            browser.open("admin/");
            assertThat(browser.url()).endsWith("/admin/signin.xhtml");
            assertThat(browser.text()).contains("No admin key exists yet");
            browser.screenshot("signin-before-setup");

            browser.clickId("toSetup");
            assertThat(browser.url()).endsWith("/admin/setup.xhtml");
            // a wrong token is refused next to its field, and nothing is created
            browser.type("setup:setupToken", "not-the-token").clickId("setup:create");
            browser.waitForText("The setup token is wrong");
            browser.screenshot("setup-wrong-token");

            assertThat(browser.cookie("JSESSIONID")).as("setup holds no session until it succeeds").isNull();

            browser.type("setup:setupToken", gateway.setupToken()).type("setup:name", "first-admin").clickId("setup:create");
            assertThat(browser.url()).endsWith("/admin/welcome.xhtml");
            String secret = browser.find("#createdSecret").getText().trim();
            assertThat(secret).startsWith("tr-");
            browser.clickId("welcome:copySecret");
            browser.wait(d -> "true".equals(browser.id("welcome:copySecret").getAttribute("data-copied")) ? Boolean.TRUE : null);
            browser.screenshot("setup-key-shown-once");

            // the first provider: a preset, its key, and a test against the loopback upstream
            browser.choose("welcome:preset", "OpenAI");
            browser.type("welcome:providerName", "first").type("welcome:base_url", upstream).type("welcome:api_key", "sk-first-run")
                    .clickId("welcome:addProvider");
            browser.waitForText("Connected");
            assertThat(browser.id("welcome:testOutcome").getText()).contains("ms").contains("models");
            browser.screenshot("setup-provider-tested");

            // the key works on the management API as an admin, and the provider is there with its key stored
            HttpClient http = HttpClient.newHttpClient();
            HttpResponse<String> providers = http.send(HttpRequest.newBuilder(URI.create(gateway.url() + "api/providers/first"))
                    .header("Authorization", "Bearer " + secret).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(providers.statusCode()).isEqualTo(200);
            assertThat(providers.body()).contains("\"has_api_key\":true").doesNotContain("sk-first-run");
            assertThat(UpstreamExtension.upstream().last("GET", "/v1/models").header("Authorization")).isEqualTo("Bearer sk-first-run");

            browser.click("#welcome\\:toConsole a");
            assertThat(browser.url()).endsWith("/admin/index.xhtml");
            assertThat(browser.find(".tr-principal").getText()).contains("first-admin");
            // the key is shown once: the page opened again does not show it
            browser.open("admin/welcome.xhtml");
            assertThat(browser.text()).contains("It was shown once").doesNotContain(secret);
            browser.open("admin/index.xhtml");

            // a node holds at most console_max_sessions (3) console sessions: the browser's, and two carried over
            // from "another node" with the browser's console cookie; the next is refused until some end
            String token = browser.cookie("tr_console").getValue();
            java.util.List<String> carried = new java.util.ArrayList<>();
            for (int i = 0; i < 2; i++) {
                HttpResponse<String> restored = http.send(HttpRequest.newBuilder(URI.create(gateway.url() + "admin/index.xhtml"))
                        .header("Cookie", "tr_console=" + token).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(restored.statusCode()).isEqualTo(200);
                carried.add(restored.headers().allValues("Set-Cookie").stream().filter(c -> c.startsWith("JSESSIONID="))
                        .findFirst().orElseThrow().split(";")[0]);
            }
            HttpResponse<String> full = http.send(HttpRequest.newBuilder(URI.create(gateway.url() + "admin/index.xhtml"))
                    .header("Cookie", "tr_console=" + token).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(full.statusCode()).isEqualTo(503);
            assertThat(full.body()).contains("console is full on this node");
            assertThat(full.headers().allValues("Set-Cookie")).noneMatch(c -> c.startsWith("JSESSIONID="));

            browser.clickId("signOutForm:signOut");
            assertThat(browser.url()).contains("/admin/signin.xhtml");
            assertThat(browser.text()).contains("You have signed out").doesNotContain("No admin key exists yet");
            // signed out, the carried-over sessions end at their next request, and make room again
            for (String session : carried) {
                HttpResponse<String> ended = http.send(HttpRequest.newBuilder(URI.create(gateway.url() + "admin/index.xhtml"))
                        .header("Cookie", session).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(ended.statusCode()).isEqualTo(302);
            }
            // setup is closed once an admin key exists
            browser.open("admin/setup.xhtml");
            assertThat(browser.url()).endsWith("/admin/signin.xhtml");

            // the admin password signs in as its own principal
            browser.type("signin:password", PASSWORD).clickId("signin:submit");
            assertThat(browser.url()).endsWith("/admin/index.xhtml");
            assertThat(browser.find(".tr-principal").getText()).contains("admin (password)");
            browser.clickId("signOutForm:signOut");

            // wrong passwords from one address: refused, then throttled with the time to wait
            browser.type("signin:password", "wrong-password").clickId("signin:submit");
            browser.waitForText("The password is wrong");
            // (one attempt more comes back every 12 s: keep trying until the wait is long enough to test)
            Pattern wait = Pattern.compile("try again in (\\d+) s");
            int seconds = 0;
            for (int i = 0; i < 40 && seconds < 5; i++) {
                browser.type("signin:password", "wrong-password").clickId("signin:submit");
                Matcher m = wait.matcher(browser.text());
                seconds = m.find() ? Integer.parseInt(m.group(1)) : 0;
            }
            assertThat(seconds).as("sign-in attempts are throttled with the time to wait").isGreaterThanOrEqualTo(5);
            browser.screenshot("signin-throttled");
            // even the right password waits now
            browser.type("signin:password", PASSWORD).clickId("signin:submit");
            assertThat(browser.url()).contains("/admin/signin.xhtml");
            assertThat(browser.text()).contains("try again in");
        }
        assertThat(gateway.serverLog()).doesNotContain("sk-first-run")
                .as("the log says where the gateway listens").contains("TokenRouter started: the OpenAI API at " + gateway.url()
                        + "v1, the console at " + gateway.url() + "admin/");
    }
}
