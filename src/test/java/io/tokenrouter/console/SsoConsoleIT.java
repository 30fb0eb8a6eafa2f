package io.tokenrouter.console;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.jwk.RSAKey;
import io.tokenrouter.testing.ApiClient;
import io.tokenrouter.testing.Browser;
import io.tokenrouter.testing.DeployedGateway;
import io.tokenrouter.testing.FromAddress;
import io.tokenrouter.testing.GatewayClient;
import io.tokenrouter.testing.OidcExtension;
import java.net.URI;
import java.net.URL;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.Cookie;

/**
 * Signing in to the console through the organisation's OpenID Connect provider (a real one on loopback,
 * {@link OidcExtension}): people in the admin and keymaster groups get those roles, anyone else is refused and
 * the refusal is in the audit trail; forged and replayed callbacks sign nobody in; signing out also ends the
 * session at the provider.
 */
@ExtendWith(OidcExtension.class)
class SsoConsoleIT extends DeployedGateway {

    @ArquillianResource
    URL deployment;

    private final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

    private Browser browser(String prefix) {
        return new Browser(deployment.toString(), prefix, false);
    }

    /** Signs in at the provider's form as {@code subject} with these claims, from the gateway's sign-in page. */
    private void signInAtProvider(Browser browser, String subject, String claims) {
        browser.open("admin/signin.xhtml");
        assertThat(browser.find("#ssoStart").getText()).isEqualTo("Sign in with Example SSO");
        browser.find("#ssoStart").click();
        browser.wait(d -> d.getCurrentUrl().startsWith(OidcExtension.issuer() + "/authorize"));
        String authorize = browser.url();
        Map<String, String> query = OidcExtension.query(URI.create(authorize).getRawQuery());
        assertThat(query).containsEntry("code_challenge_method", "S256").containsEntry("response_type", "code")
                .containsEntry("client_id", OidcExtension.CLIENT_ID).containsKeys("state", "nonce", "code_challenge");
        assertThat(query.get("redirect_uri")).endsWith("/admin/sso/callback");
        browser.driver().findElement(By.name("username")).sendKeys(subject);
        browser.driver().findElement(By.name("claims")).sendKeys(claims);
        browser.driver().findElement(By.cssSelector("input[type=submit]")).click();
        browser.wait(d -> d.getCurrentUrl().contains("/admin/") && !d.getCurrentUrl().contains("/sso/callback"));
    }

    @Test
    void anAdminGroupPersonSignsInAndOutThroughTheProvider() throws Exception {
        String email = unique("ada") + "@example.com";
        try (Browser browser = browser("sso-admin")) {
            signInAtProvider(browser, unique("ada-sub"), "{\"email\":\"" + email + "\",\"name\":\"Ada\","
                    + "\"groups\":[\"staff\",\"tr-admins\"]}");
            assertThat(browser.url()).as(browser.text()).endsWith("/admin/index.xhtml");
            assertThat(browser.find(".tr-principal").getText()).contains(email);
            Cookie console = browser.cookie("tr_console");
            assertThat(console).isNotNull();
            assertThat(console.isHttpOnly()).isTrue();
            assertThat(console.getSameSite()).isEqualTo("Strict");
            assertThat(browser.cookie("tr_sso")).as("the binding is spent").isNull();
            browser.open("admin/settings.xhtml");
            assertThat(browser.url()).endsWith("/admin/settings.xhtml");
            assertThat(browser.text()).contains("Single sign-on").contains(OidcExtension.issuer())
                    .contains("set (not shown)").doesNotContain("it-client-secret");

            // signing out ends the session here and at the provider, which sends the browser back
            browser.clickId("signOutForm:signOut");
            browser.wait(d -> d.getCurrentUrl().contains("/admin/signin.xhtml"));
            assertThat(browser.url()).contains("signedOut=true");
            assertThat(browser.text()).as(browser.url()).contains("You have signed out");
            browser.driver().manage().addCookie(console);
            browser.open("admin/access.xhtml");
            assertThat(browser.url()).as("the old session opens nothing").endsWith("/admin/signin.xhtml");
        }
        String trail = admin().get("api/audit").body();
        assertThat(trail).contains("Signed in by single sign-on as admin").contains(email)
                .contains("\"action\":\"sign-out\"");
        String people = admin().get("api/people").body();
        assertThat(people).contains(email).contains("\"role\":\"admin\"");
    }

    @Test
    void aKeymasterGroupPersonReachesNoAdminPageNotEvenByItsAddress() {
        String email = unique("kim") + "@example.com";
        try (Browser browser = browser("sso-keymaster")) {
            signInAtProvider(browser, unique("kim-sub"), "{\"email\":\"" + email + "\",\"groups\":[\"tr-leads\"]}");
            assertThat(browser.url()).as(browser.text()).endsWith("/admin/index.xhtml");
            assertThat(browser.find(".tr-principal").getText()).contains(email).contains("keymaster");
            for (String page : List.of("settings", "providers", "people")) {
                browser.open("admin/" + page + ".xhtml");
                assertThat(browser.text()).as(page).contains("HTTP 403");
            }
        }
    }

    @Test
    void anAdminDisablesAPersonOnThePeoplePageAndTheirSessionEnds() throws Exception {
        String subject = unique("bea-sub");
        String email = unique("bea") + "@example.com";
        String claims = "{\"email\":\"" + email + "\",\"groups\":[\"tr-leads\"]}";
        Started started = start();
        String beas = OidcExtension.cookie(callback(approve(started, subject, claims), started.binding()), "tr_console");
        assertThat(page("admin/index.xhtml", beas)).contains(email);
        try (Browser browser = browser("sso-people")) {
            signInAtProvider(browser, unique("root-sub"), "{\"email\":\"root@example.com\",\"groups\":[\"tr-admins\"]}");
            browser.open("admin/people.xhtml");
            browser.screenshot("people");
            org.openqa.selenium.WebElement row = browser.driver().findElement(
                    By.xpath("//tr[contains(., '" + email + "')]"));
            assertThat(row.getText()).contains("keymaster").contains("tr-leads").contains("active");
            browser.clickIn(row, "button[id$=':disable']").confirm();
            browser.waitForText("Disabled; their sessions have ended.");
            assertThat(browser.driver().findElement(By.xpath("//tr[contains(., '" + email + "')]")).getText())
                    .contains("disabled");
        }
        assertThat(page("admin/index.xhtml", beas)).as("their session ended").contains("Sign in to the console");
        started = start();
        assertRefused(callback(approve(started, subject, claims), started.binding()), "disabled");
        assertThat(admin().get("api/audit").body()).contains("Disabled person " + email);
    }

    @Test
    void aPersonWithoutAMappedGroupIsRefusedAndTheRefusalIsLogged() throws Exception {
        String email = unique("nobody") + "@example.com";
        try (Browser browser = browser("sso-refused")) {
            signInAtProvider(browser, unique("nobody-sub"), "{\"email\":\"" + email + "\",\"groups\":[\"staff\"]}");
            assertThat(browser.url()).contains("/admin/signin.xhtml?sso=no_role");
            assertThat(browser.text()).contains("Your account has no role in this gateway; ask an admin");
            assertThat(browser.cookie("tr_console")).isNull();
            browser.open("admin/index.xhtml");
            assertThat(browser.url()).endsWith("/admin/signin.xhtml");
        }
        assertThat(admin().get("api/audit").body()).contains("Refused single sign-on").contains(email)
                .contains("has no role in this gateway");
    }

    @Test
    void forgedAndReplayedCallbacksSignNobodyIn() throws Exception {
        // a state the gateway never gave out
        Started started = start();
        assertRefused(callback("state=" + UUID.randomUUID() + "&code=anything", started.binding()), "invalid_state");

        // a code made up, with a real state: the provider's answer does not carry this sign-in's nonce
        assertRefused(callback("state=" + started.state() + "&code=made-up", started.binding()), "invalid_token");

        // a real sign-in works once; the same callback again (a replay) signs nobody in
        started = start();
        String answer = approve(started, "{\"groups\":[\"tr-admins\"]}");
        HttpResponse<String> first = callback(answer, started.binding());
        assertThat(OidcExtension.cookie(first, "tr_console")).as(first.body()).startsWith("trs_");
        assertThat(first.body()).contains("/admin/index.xhtml");
        assertRefused(callback(answer, started.binding()), "invalid_state");

        // a real answer taken to another browser (without the binding cookie) signs nobody in
        started = start();
        assertRefused(callback(approve(started, "{\"groups\":[\"tr-admins\"]}"), null), "invalid_state");

        // ID tokens that are wrong one way each, the rest right
        RSAKey idp = OidcExtension.signingKey();
        Map<String, Map<String, Object>> wrong = new LinkedHashMap<>();
        wrong.put("another audience", Map.of("aud", List.of("someone-else")));
        wrong.put("expired", Map.of("exp", new Date(System.currentTimeMillis() - 600_000),
                "iat", new Date(System.currentTimeMillis() - 4_200_000)));
        wrong.put("another issuer", Map.of("iss", "http://127.0.0.1:1/elsewhere"));
        wrong.put("another nonce", Map.of("nonce", "not-the-one"));
        for (var w : wrong.entrySet()) {
            started = start();
            OidcExtension.forgeNextToken(OidcExtension.idToken(idp, idp.getKeyID(), started.nonce(), w.getValue()));
            assertRefused(callback("state=" + started.state() + "&code=any", started.binding()), "invalid_token");
        }
        // signed by a key that is not the provider's, under the provider's key id and under one of its own
        RSAKey foreign = OidcExtension.foreignKey();
        for (String kid : List.of(idp.getKeyID(), "unknown-key")) {
            started = start();
            OidcExtension.forgeNextToken(OidcExtension.idToken(foreign, kid, started.nonce(), Map.of()));
            assertRefused(callback("state=" + started.state() + "&code=any", started.binding()), "invalid_token");
        }
        // and the same forgery signed by the provider's key is accepted (the tests above fail for their reason)
        started = start();
        OidcExtension.forgeNextToken(OidcExtension.idToken(idp, idp.getKeyID(), started.nonce(),
                Map.of("sub", unique("mallory"))));
        assertThat(OidcExtension.cookie(callback("state=" + started.state() + "&code=any", started.binding()), "tr_console"))
                .startsWith("trs_");
    }

    @Test
    void withKeySignInOffOnlySingleSignOnAndTheConfiguredAdminKeySignIn() throws Exception {
        ApiClient admin = new ApiClient(deployment);
        FromAddress client = new FromAddress(deployment, "127.0.0.61");
        try {
            assertThat(admin.patch("api/settings", Map.of("console_key_sign_in", false)).statusCode()).isEqualTo(200);
            FromAddress.Answer password = client.post("api/session", null,
                    "{\"password\":\"it-admin-password-correct\"}");
            assertThat(password.status()).isEqualTo(403);
            assertThat(password.body()).contains("key_sign_in_off");
            FromAddress.Answer breakGlass = client.post("api/session", null,
                    "{\"key\":\"" + GatewayClient.ADMIN_KEY + "\"}");
            assertThat(breakGlass.status()).as("the configured admin key always signs in").isEqualTo(201);
            assertThat(admin.get("v1/models").statusCode()).as("keys still call the API").isEqualTo(200);
            try (Browser browser = browser("sso-keys-off")) {
                browser.open("admin/signin.xhtml");
                assertThat(browser.all("input[name='signin:password']")).isEmpty();
                assertThat(browser.text()).contains("Break-glass: the configured admin key");
                signInAtProvider(browser, unique("ops-sub"), "{\"email\":\"ops@example.com\",\"groups\":[\"tr-admins\"]}");
                assertThat(browser.url()).as(browser.text()).endsWith("/admin/index.xhtml");
            }
            assertThat(admin.get("api/audit").body()).contains("console_key_sign_in")
                    .contains("Key and password sign-in to the console is switched off");
        } finally {
            assertThat(admin.patch("api/settings", Map.of("console_key_sign_in", true)).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void aSessionEndsWithItsIdTokenUnlessTheProviderRenewsIt() throws Exception {
        RSAKey idp = OidcExtension.signingKey();
        String subject = unique("rae");
        // signed in with an ID token that lives two seconds, and a refresh token
        Started started = start();
        long ends = System.currentTimeMillis() + 2_000;
        OidcExtension.forgeNextToken(OidcExtension.idToken(idp, idp.getKeyID(), started.nonce(), Map.of("sub", subject,
                "email", subject + "@example.com", "exp", new Date(ends))), "refresh-" + subject);
        String console = OidcExtension.cookie(callback("state=" + started.state() + "&code=any", started.binding()),
                "tr_console");
        assertThat(console).startsWith("trs_");
        assertThat(page("admin/index.xhtml", console)).contains(subject + "@example.com")
                .contains("tr-role\">admin<");

        // the provider renews it (the person is now a keymaster there): the session goes on, with the new role
        OidcExtension.answerRefresh("refresh-" + subject, () -> idToken(idp, subject, List.of("tr-keymasters")));
        int refreshed = OidcExtension.refreshesAnswered();
        org.awaitility.Awaitility.await().until(() -> System.currentTimeMillis() > ends + 100);
        assertThat(page("admin/index.xhtml", console)).contains(subject + "@example.com")
                .contains("tr-role\">keymaster<");
        assertThat(OidcExtension.refreshesAnswered()).isEqualTo(refreshed + 1);
        assertThat(page("admin/index.xhtml", console)).as("renewed once, until the new token ends")
                .contains("tr-role\">keymaster<");
        assertThat(OidcExtension.refreshesAnswered()).isEqualTo(refreshed + 1);

        // a session the provider does not renew ends with its ID token
        started = start();
        long soon = System.currentTimeMillis() + 2_000;
        OidcExtension.forgeNextToken(OidcExtension.idToken(idp, idp.getKeyID(), started.nonce(), Map.of("sub",
                unique("sam"), "exp", new Date(soon))), "refresh-refused-" + subject);
        String ending = OidcExtension.cookie(callback("state=" + started.state() + "&code=any", started.binding()),
                "tr_console");
        assertThat(page("admin/index.xhtml", ending)).contains("Status");
        org.awaitility.Awaitility.await().until(() -> System.currentTimeMillis() > soon + 100);
        assertThat(page("admin/index.xhtml", ending)).as("back to the sign-in page").contains("Sign in to the console");
    }

    /** A renewed ID token (no nonce) of {@code subject} in {@code groups}, valid for an hour. */
    private static String idToken(RSAKey idp, String subject, List<String> groups) {
        try {
            Map<String, Object> claims = new java.util.HashMap<>();
            claims.put("sub", subject);
            claims.put("email", subject + "@example.com");
            claims.put("groups", groups);
            claims.put("nonce", null);
            return OidcExtension.idToken(idp, idp.getKeyID(), null, claims);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** A console page with only the console cookie, as a node that never saw the browser gets it; redirects followed. */
    private String page(String path, String console) throws Exception {
        HttpClient client = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL).build();
        return client.send(HttpRequest.newBuilder(URI.create(deployment + path)).header("Cookie", "tr_console=" + console)
                .build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    /** A sign-in started at {@code /admin/sso/start}: its state and nonce (from the address), the binding cookie. */
    private record Started(String state, String nonce, String binding, URI authorize) {
    }

    private Started start() throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(deployment + "admin/sso/start"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(302);
        URI authorize = URI.create(response.headers().firstValue("Location").orElseThrow());
        Map<String, String> query = OidcExtension.query(authorize.getRawQuery());
        return new Started(query.get("state"), query.get("nonce"), OidcExtension.cookie(response, "tr_sso"), authorize);
    }

    /** Signs in at the provider's form with these claims; the query the provider sends back to the callback. */
    private String approve(Started started, String claims) throws Exception {
        return approve(started, unique("sub"), claims);
    }

    /** Signs in at the provider's form as {@code subject}; the query the provider sends back to the callback. */
    private String approve(Started started, String subject, String claims) throws Exception {
        String form = "username=" + subject + "&claims=" + URLEncoder.encode(claims, StandardCharsets.UTF_8);
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(started.authorize())
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(302);
        URI back = URI.create(response.headers().firstValue("Location").orElseThrow());
        assertThat(back.getPath()).endsWith("/admin/sso/callback");
        return back.getRawQuery();
    }

    private HttpResponse<String> callback(String query, String binding) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(deployment + "admin/sso/callback?" + query));
        if (binding != null) {
            request.header("Cookie", "tr_sso=" + binding);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void assertRefused(HttpResponse<String> response, String reason) {
        assertThat(OidcExtension.cookie(response, "tr_console")).as("nobody signed in: " + response.body()).isNull();
        assertThat(response.body()).contains("/admin/signin.xhtml?sso=" + reason);
    }



    private GatewayClient admin() {
        return new GatewayClient(deployment);
    }

    private static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }
}
