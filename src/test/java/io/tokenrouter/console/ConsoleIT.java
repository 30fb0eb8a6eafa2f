package io.tokenrouter.console;

import static io.tokenrouter.testing.ApiClient.fields;
import static io.tokenrouter.testing.ApiClient.unique;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.tokenrouter.testing.ApiClient;
import io.tokenrouter.testing.Browser;
import io.tokenrouter.testing.DefaultReplies;
import io.tokenrouter.testing.DeployedGateway;
import io.tokenrouter.testing.FromAddress;
import io.tokenrouter.testing.GatewayClient;
import io.tokenrouter.testing.Reply;
import io.tokenrouter.testing.Waits;
import java.net.URI;
import java.net.URL;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Cookie;
import org.openqa.selenium.WebElement;

/**
 * The console in a real browser (Debian's Chromium) against the deployed WAR and the scripted upstream:
 * signing in and out, an admin's day (a team, a key used through /v1, a quota that refuses, a provider from
 * a preset tested against the loopback upstream, the traffic on Status and in the Log, a captured
 * conversation), a keymaster confined to its subtree, a forged cross-site form, and both themes. Every page
 * is saved under target/screenshots.
 */
class ConsoleIT extends DeployedGateway {

    private static final String PASSWORD = "it-admin-password-correct";
    private static final List<String> PAGES = List.of("index", "quota", "providers", "access", "models", "conversations",
            "log", "network", "settings");

    @ArquillianResource
    URL deployment;

    private Browser browser(String prefix) {
        return new Browser(deployment.toString(), prefix, false);
    }

    private void signIn(Browser browser, String key, String password) {
        browser.open("admin/");
        assertThat(browser.url()).endsWith("/admin/signin.xhtml");
        if (key != null) {
            browser.type("signin:key", key);
        } else {
            browser.type("signin:password", password);
        }
        browser.clickId("signin:submit");
        assertThat(browser.url()).as(browser.text()).endsWith("/admin/index.xhtml");
    }

    @Test
    void passwordSignInGetsAFreshHttpOnlySessionAndSignOutEndsIt() {
        try (Browser browser = browser("session")) {
            browser.open("admin/signin.xhtml");
            Cookie before = browser.cookie("JSESSIONID");
            assertThat(before).as("the sign-in page holds no session").isNull();
            browser.screenshot("signin");
            signIn(browser, null, PASSWORD);
            Cookie after = browser.cookie("JSESSIONID");
            assertThat(after).isNotNull();
            assertThat(after.getValue()).as("a new session id at sign-in").isNotEqualTo(before == null ? null : before.getValue());
            assertThat(after.isHttpOnly()).isTrue();
            assertThat(after.getSameSite()).isEqualTo("Strict");
            assertThat(after.isSecure()).as("not secure over plain HTTP").isFalse();
            assertThat(browser.find(".tr-principal").getText()).contains("admin (password)");
            Cookie console = browser.cookie("tr_console");
            assertThat(console).as("the session token for other nodes").isNotNull();
            assertThat(console.isHttpOnly()).isTrue();
            assertThat(console.getSameSite()).isEqualTo("Strict");
            assertThat(console.getPath()).endsWith("/admin");

            // a node that never saw this browser's HTTP session (it took over from one that died) carries on
            browser.driver().manage().deleteCookieNamed("JSESSIONID");
            browser.open("admin/access.xhtml");
            assertThat(browser.url()).endsWith("/admin/access.xhtml");
            assertThat(browser.find(".tr-principal").getText()).contains("admin (password)");
            assertThat(browser.cookie("JSESSIONID")).as("a new HTTP session on this node").isNotNull();

            browser.clickId("signOutForm:signOut");
            assertThat(browser.url()).contains("/admin/signin.xhtml");
            assertThat(browser.text()).contains("You have signed out");
            assertThat(browser.cookie("tr_console")).as("removed at sign-out").isNull();
            // neither the old session cookie nor the old console cookie opens anything any more
            browser.driver().manage().addCookie(after);
            browser.driver().manage().addCookie(console);
            browser.open("admin/access.xhtml");
            assertThat(browser.url()).endsWith("/admin/signin.xhtml");
        }
    }

    @Test
    void anAdminManagesTeamsKeysQuotasAndProvidersAndSeesTheTraffic() throws Exception {
        String team = unique("console-team");
        String keyName = unique("console-key");
        String provider = unique("acme").replace('_', '-');
        String answer = "<think>The user wants code.</think>Here is **bold** text and code:\n\n```java\nint answer = 42;\n```\n";
        try (Browser browser = browser("admin")) {
            signIn(browser, GatewayClient.ADMIN_KEY, null);

            // a team
            browser.open("admin/access.xhtml").clickId("teams:newTeam");
            browser.type("teams:name", team).type("teams:description", "made in the console").clickId("teams:saveTeam");
            browser.waitForText("Created team '" + team + "'");

            // a key in it, with a quota of two requests a day; its secret is shown once
            browser.clickId("keys:newKey");
            browser.type("keys:name", keyName).choose("keys:team_id", team);
            // a bad field is refused with its message next to it, and the dialog keeps what was typed
            browser.type("keys:ttl", "soon").clickId("keys:saveKey");
            assertThat(browser.find("[id$='keys:ttl'] + .ui-message").getText()).contains("duration such as 8h");
            assertThat(browser.id("keys:name").getAttribute("value")).isEqualTo(keyName);
            browser.screenshot("access-field-message");
            browser.id("keys:ttl").clear();
            browser.clickId("keys:addKeyQuota");
            browser.choose(browser.find("[id$=':0:quotaMetric']").getAttribute("id"), "requests");
            browser.choose(browser.find("[id$=':0:quotaPeriod']").getAttribute("id"), "per day");
            browser.find("[id$=':0:quotaLimit_input']").sendKeys("2");
            browser.clickId("keys:saveKey");
            String secret = browser.find("#createdSecret").getText().trim();
            assertThat(secret).startsWith("tr-");
            browser.screenshot("access-key-created");
            browser.clickId("keys:secretDone");
            assertThat(browser.text()).contains(keyName).contains(team).contains("requests 0 / 2 per day");

            // the key works through /v1; the provider's answer says its own allowance is running low
            upstream().on("POST", "/v1/chat/completions", Reply.json(200, DefaultReplies.chat("gpt-4o-mini", "Hi"),
                    "x-ratelimit-limit-requests", "1000", "x-ratelimit-remaining-requests", "20",
                    "x-ratelimit-reset-requests", "6m0s"));
            assertThat(chat(secret).statusCode()).isEqualTo(200);

            // an admin switches on conversation capture for it
            browser.clickIn(row(browser, keyName), "button[title='Edit']");
            browser.click("[id$='keys:capture'] .ui-toggleswitch-slider").clickId("keys:saveKey");
            browser.waitForText("Saved key '" + keyName + "'");

            // the second request is captured; the third is over the quota
            upstream().on("POST", "/v1/chat/completions", Reply.json(200, DefaultReplies.chat("gpt-4o-mini",
                    ApiClient.json(answer).substring(1, ApiClient.json(answer).length() - 1))));
            HttpResponse<String> captured = chat(secret);
            assertThat(captured.statusCode()).isEqualTo(200);
            HttpResponse<String> refused = chat(secret);
            assertThat(refused.statusCode()).isEqualTo(429);
            assertThat(refused.body()).contains("requests");

            // the refusal in the Log, filtered to refusals
            browser.open("admin/log.xhtml");
            browser.choose("requestsForm:status", "refused").clickId("requestsForm:apply");
            browser.waitForText("429 refused");
            assertThat(browser.find("[id$='requestsForm:requests']").getText()).contains(keyName);
            browser.choose("requestsForm:status", "any outcome").clickId("requestsForm:apply");
            browser.waitForText("200 ok");
            browser.screenshot("log");

            // the requests on Status, grouped by key
            browser.open("admin/index.xhtml");
            browser.choose("status:groupBy", "key");
            browser.wait(d -> browser.find("[id$='status:groups']").getText().contains(keyName) ? Boolean.TRUE : null);
            assertThat(Long.parseLong(browser.find("#tileRequests .tr-value").getText().replace(",", ""))).isPositive();

            // the captured conversation, rendered: markdown, a code block, reasoning collapsed
            Waits.await("the captured conversation listed", Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(500))
                    .until(() -> browser.open("admin/conversations.xhtml").text().contains(keyName));
            browser.clickIn(browser.driver().findElement(By.xpath("//a[contains(., '" + keyName + "')]")), null);
            WebElement thread = browser.find("[id$='conversations:thread']");
            assertThat(thread.findElement(By.cssSelector(".tr-msg.assistant strong")).getText()).isEqualTo("bold");
            assertThat(thread.findElement(By.cssSelector(".tr-msg.assistant pre code")).getText()).contains("int answer = 42;");
            assertThat(thread.findElement(By.cssSelector(".tr-msg.user")).getText()).contains("<b>not bold</b>");
            WebElement reasoning = thread.findElement(By.cssSelector(".tr-msg.assistant details"));
            assertThat(reasoning.getAttribute("open")).isNull();
            assertThat(reasoning.getText()).contains("Reasoning").doesNotContain("The user wants code.");
            browser.screenshot("conversation");
            browser.clickId("conversations:deleteThread").confirm();
            browser.waitForText("Deleted the thread");
            browser.clickId("conversations:deleteAll").confirm();
            browser.waitForText("Deleted all captured conversations");
            assertThat(new ApiClient(deployment).getJson("api/conversations").path("total").asLong()).isZero();

            // an alias with a target in the active profile, used through /v1, then deleted
            String alias = unique("smart");
            browser.open("admin/models.xhtml").clickId("models:newAlias");
            browser.type("models:name", alias);
            browser.choose(browser.find("[id$=':0:targetProvider']").getAttribute("id"), "mock");
            browser.find("[id$=':0:targetModel']").sendKeys("gpt-4o-mini");
            browser.clickId("models:saveAlias");
            browser.waitForText("Saved alias '" + alias + "'");
            assertThat(browser.text()).contains("mock/gpt-4o-mini");
            assertThat(new GatewayClient(deployment).post("v1/chat/completions", "{\"model\":\"" + alias
                    + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}").statusCode()).isEqualTo(200);
            browser.screenshot("models-alias");
            browser.clickIn(rowWith(browser, alias), "button[title='Delete']").confirm();
            browser.waitForText("Deleted alias '" + alias + "'");

            // a provider from a preset, tested against the loopback upstream; its key is never shown back
            browser.open("admin/providers.xhtml").clickId("providers:addProvider");
            assertThat(browser.driver().getPageSource()).as("what each preset takes")
                    .contains("Groq (free tier with a key)", "OpenCode Zen (free models, no key)");
            browser.choose("providers:preset", "Azure OpenAI");
            assertThat(browser.id("providers:base_url").getAttribute("value")).as("the template to fill in")
                    .isEqualTo("https://{resource_name}.openai.azure.com/openai/v1");
            browser.choose("providers:preset", "OpenAI");
            assertThat(browser.id("providers:base_url").getAttribute("value")).isEqualTo("https://api.openai.com/v1");
            browser.type("providers:name", provider)
                    .type("providers:base_url", "http://127.0.0.1:" + upstream().port() + "/v1")
                    .type("providers:api_key", "sk-console-secret").clickId("providers:save");
            browser.waitForText("Added provider '" + provider + "'");
            browser.clickIn(rowWith(browser, provider), "button[title='Test connection']");
            browser.waitForText("'" + provider + "' answered in");
            assertThat(browser.find("[id$='providers:table']").getText()).contains("ok");
            browser.clickIn(rowWith(browser, provider), "button[title='Edit']");
            browser.waitForText("Edit provider");
            assertThat(browser.id("providers:api_key").getAttribute("value")).isEmpty();
            assertThat(browser.id("providers:read_timeout").getAttribute("placeholder")).as("the configured default")
                    .isEqualTo("default: 5s");
            assertThat(browser.driver().getPageSource()).doesNotContain("sk-console-secret");
            browser.screenshot("providers-edit");

            // a provider whose key only a sign-in gives: the code to enter, then the key stored by itself
            String copilot = provider + "-copilot";
            assertThat(new ApiClient(deployment).post("api/providers", Map.of("name", copilot, "preset", "github-copilot",
                    "base_url", "http://127.0.0.1:" + upstream().port() + "/v1")).statusCode()).isEqualTo(201);
            upstream().on("POST", "/gh/login/device/code", Reply.json(200, "{\"device_code\":\"dev-console\","
                    + "\"user_code\":\"WDJB-MJHT\",\"verification_uri\":\"https://github.com/login/device\","
                    + "\"expires_in\":900,\"interval\":1}"));
            upstream().on("POST", "/gh/login/oauth/access_token", Reply.json(200, "{\"error\":\"authorization_pending\"}"));
            upstream().on("POST", "/gh/login/oauth/access_token", Reply.json(200,
                    "{\"access_token\":\"gho_console_token\",\"token_type\":\"bearer\",\"scope\":\"read:user\"}"));
            browser.open("admin/providers.xhtml");
            browser.clickIn(rowWith(browser, copilot), "button[title='Sign in with GitHub']");
            browser.waitForText("Sign '" + copilot + "' in with GitHub");
            browser.type("providers:signInServer", "http://127.0.0.1:" + upstream().port() + "/gh").clickId("providers:startSignIn");
            browser.waitForText("WDJB-MJHT");
            assertThat(browser.find("#signInPage").getAttribute("href")).isEqualTo("https://github.com/login/device");
            browser.waitForText("Signed '" + copilot + "' in with GitHub");
            assertThat(new ApiClient(deployment).getJson("api/providers/" + copilot).path("has_api_key").asBoolean()).isTrue();
            assertThat(upstream().last("POST", "/gh/login/oauth/access_token").body()).contains("\"device_code\":\"dev-console\"");
            Waits.await("a chat through the signed-in provider", Duration.ofSeconds(15)).until(() -> new GatewayClient(deployment)
                    .post("v1/chat/completions", "{\"model\":\"" + copilot + "/gpt-4o-mini\",\"messages\":[{\"role\":"
                            + "\"user\",\"content\":\"hi\"}]}").statusCode() == 200);
            assertThat(upstream().last("POST", "/v1/chat/completions").header("authorization")).isEqualTo("Bearer gho_console_token");
            assertThat(browser.driver().getPageSource()).doesNotContain("gho_console_token");

            // the provider's remaining allowance on Quota, highlighted as low (it is written every ten seconds)
            Waits.await("the provider's allowance shown as low", Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(500))
                    .until(() -> browser.open("admin/quota.xhtml").find("[id$='quota:providers']").getText().contains("low"));
            assertThat(browser.find("[id$='quota:providers']").getText()).contains("mock").contains("low").contains("20 / 1,000");
            assertThat(browser.all("[id$='quota:providers'] tr.tr-low")).isNotEmpty();

            // a cluster setting changed on Settings, a bad one refused next to its field, then back to the file's
            browser.open("admin/settings.xhtml");
            browser.type("settings:conversation_retention", "45d").clickId("settings:save");
            browser.waitForText("Saved.");
            assertThat(new ApiClient(deployment).getJson("api/settings").path("conversation_retention").asText()).isEqualTo("45d");
            browser.type("settings:log_retention", "5m").clickId("settings:save");
            assertThat(browser.find("[id$='settings:log_retention'] + .ui-message").getText()).contains("between 1h and 3650d");
            browser.open("admin/settings.xhtml");
            browser.id("settings:conversation_retention").clear();
            browser.clickId("settings:save");
            browser.waitForText("Saved.");
            JsonNode settings = new ApiClient(deployment).getJson("api/settings");
            assertThat(settings.path("conversation_retention").asText()).isEqualTo("30d");
            assertThat(settings.path("log_retention").asText()).isEqualTo("90d");
            assertThat(settings.path("auto_detect_local_servers").asBoolean()).isTrue();
            assertThat(settings.path("auto_enable_public_free_models").asBoolean()).isFalse();

            // the providers the gateway adds by itself: a switch each
            browser.open("admin/settings.xhtml");
            browser.click("[id$='settings:auto_local'] .ui-toggleswitch-slider").clickId("settings:save");
            browser.waitForText("Saved.");
            assertThat(new ApiClient(deployment).getJson("api/settings").path("auto_detect_local_servers").asBoolean())
                    .isFalse();
            assertThat(new ApiClient(deployment).patch("api/settings", Map.of("auto_detect_local_servers", true)).statusCode())
                    .isEqualTo(200);

            // every page, in both themes
            for (String page : PAGES) {
                browser.open("admin/" + page + ".xhtml");
                assertThat(browser.text()).doesNotContain("Something went wrong");
                browser.screenshot(page + "-light");
            }
            browser.open("admin/index.xhtml").clickId("themeToggle");
            assertThat(browser.script("return document.documentElement.classList.contains('tr-dark')")).isEqualTo(true);
            for (String page : PAGES) {
                browser.open("admin/" + page + ".xhtml");
                assertThat(browser.driver().findElements(By.cssSelector("link[href*='primefaces-vela-blue']")))
                        .as("the dark theme is remembered on " + page).isNotEmpty();
                browser.screenshot(page + "-dark");
            }
            browser.clickId("themeToggle");
            browser.open("admin/index.xhtml");
            assertThat(browser.driver().findElements(By.cssSelector("link[href*='primefaces-saga-blue']"))).isNotEmpty();
        }
    }

    /**
     * Spend control in the console: a price set on Models (and removed again), a key with a budget in dollars
     * and an unmetered cost allowed on Access, and the budget's spend in dollars on Quota.
     */
    @Test
    void anAdminSetsPricesAndBudgetsAndSeesTheSpendInDollars() throws Exception {
        String keyName = unique("budget-key");
        try (Browser browser = browser("spend")) {
            signIn(browser, GatewayClient.ADMIN_KEY, null);

            // a price for a model the shipped table does not know, at one provider
            browser.open("admin/models.xhtml");
            assertThat(browser.find("[id$='models:prices']").getText()).contains("gpt-4o-mini").contains("shipped");
            browser.clickId("models:newPrice");
            browser.type("models:priceModel", "acme/some-model").choose("models:priceProvider", "mock");
            browser.find("[id$='models:priceInput_input']").sendKeys("1.5");
            browser.find("[id$='models:priceOutput_input']").sendKeys("6");
            browser.clickId("models:savePrice");
            browser.waitForText("Set the price of mock/acme/some-model.");
            WebElement priced = priceRow(browser, "acme/some-model");
            assertThat(priced.getText()).contains("mock").contains("$1.50").contains("$6.00").contains("set here");
            browser.screenshot("models-prices");
            JsonNode prices = new ApiClient(deployment).getJson("api/prices");
            assertThat(prices).anySatisfy(p -> {
                assertThat(p.path("model").asText()).isEqualTo("acme/some-model");
                assertThat(p.path("input_micros").asLong()).isEqualTo(1_500_000);
                assertThat(p.path("cached_input_micros").asLong()).isEqualTo(1_500_000);
                assertThat(p.path("reasoning_micros").asLong()).isEqualTo(6_000_000);
                assertThat(p.path("source").asText()).isEqualTo("admin");
            });
            browser.clickIn(priceRow(browser, "acme/some-model"), "button[title='Remove']").confirm();
            browser.waitForText("Removed your price of mock/acme/some-model");

            // a key with a monthly budget of five cents, allowed background responses
            browser.open("admin/access.xhtml").clickId("keys:newKey");
            browser.type("keys:name", keyName);
            browser.clickId("keys:addKeyQuota");
            browser.choose(browser.find("[id$=':0:quotaMetric']").getAttribute("id"), "US dollars");
            browser.choose(browser.find("[id$=':0:quotaPeriod']").getAttribute("id"), "per month");
            browser.find("[id$=':0:quotaLimit_input']").sendKeys("0.05");
            browser.clickId("keys:keyUnmetered");
            browser.click("[id$='keys:keyUnmetered_panel'] li[data-item-value='background'] .ui-chkbox-box");
            browser.click("[id$='keys:keyUnmetered_panel'] .ui-selectcheckboxmenu-close");
            browser.clickId("keys:saveKey");
            String secret = browser.find("#createdSecret").getText().trim();
            browser.clickId("keys:secretDone");
            assertThat(browser.text()).contains(keyName).contains("spend $0.00 / $0.05 per month");
            browser.screenshot("access-budget");
            JsonNode key = null;
            for (JsonNode k : new ApiClient(deployment).getJson("api/keys?limit=500").path("data")) {
                key = k.path("name").asText().equals(keyName) ? k : key;
            }
            assertThat(key).as("key " + keyName).isNotNull();
            assertThat(key.path("unmetered").toString()).isEqualTo("[\"background\"]");
            assertThat(key.path("quotas").get(0).path("limit").decimalValue()).isEqualByComparingTo("0.05");

            // used: the answer says what it cost, and Quota shows the spend in dollars
            HttpResponse<String> answered = chat(secret);
            assertThat(answered.statusCode()).as(answered.body()).isEqualTo(200);
            String cost = answered.headers().firstValue("x-tokenrouter-cost").orElseThrow();
            browser.open("admin/quota.xhtml");
            WebElement line = rowWith(browser, keyName);
            assertThat(line.getText()).contains("spend per month").contains("$" + cost).contains("/ $0.05");
            browser.screenshot("quota-budget");
        }
    }

    @Test
    void aKeymasterSeesOnlyItsSubtreeAndCannotOpenAdminPages() throws Exception {
        ApiClient admin = new ApiClient(deployment);
        ApiClient.Key keymaster = admin.createKey(fields("name", unique("km"), "role", "keymaster"));
        ApiClient.Key child = admin.as(keymaster).createKey(fields("name", unique("km-child"), "role", "inferrer"));
        ApiClient.Key stranger = admin.createKey(fields("name", unique("stranger"), "role", "inferrer"));
        try (Browser browser = browser("keymaster")) {
            signIn(browser, keymaster.secret(), null);
            assertThat(browser.find(".tr-links").getText()).doesNotContain("Providers").doesNotContain("Settings")
                    .contains("Access").contains("Log");
            browser.open("admin/access.xhtml");
            assertThat(browser.text()).contains(child.name()).doesNotContain(stranger.name()).doesNotContain("Teams");
            browser.screenshot("access");
            for (String page : List.of("providers", "models", "conversations", "network", "settings")) {
                browser.open("admin/" + page + ".xhtml");
                assertThat(browser.text()).as(page).contains("Not for this key").contains("HTTP 403");
            }
            browser.open("admin/audit.jsonl");
            assertThat(browser.text()).as("the audit trail's download").contains("HTTP 403");
            assertThat(admin.get("api/audit").body()).as("the first refused page is in the audit trail")
                    .contains("\"actor\":\"" + keymaster.name() + " #" + keymaster.id()
                            + "\",\"ip\":\"127.0.0.1\",\"action\":\"access\",\"outcome\":\"refused\","
                            + "\"detail\":\"Refused the console's providers.xhtml to a key of role keymaster");
            browser.screenshot("refused-page");
            browser.open("admin/log.xhtml");
            assertThat(browser.text()).doesNotContain("Operational log");
            browser.open("admin/quota.xhtml");
            assertThat(browser.text()).doesNotContain(stranger.name());
            browser.open("admin/index.xhtml");
            assertThat(browser.id("status:groupBy").getAttribute("class")).contains("ui-state-disabled");

            // made an inferrer while signed in: the console session ends at the next page
            assertThat(admin.patch("api/keys/" + keymaster.id(), fields("role", "inferrer")).statusCode()).isEqualTo(200);
            browser.open("admin/access.xhtml");
            assertThat(browser.url()).endsWith("/admin/signin.xhtml");
            assertThat(browser.text()).contains("Sign in to the console");
        }
    }

    @Test
    void anAdminVerifiesTheAuditTrailAndDownloadsIt() throws Exception {
        String team = unique("audited-team");
        long teamId = new ApiClient(deployment).createTeam(fields("name", team)).id();
        try (Browser browser = browser("audit")) {
            signIn(browser, GatewayClient.ADMIN_KEY, null);
            browser.open("admin/log.xhtml");
            WebElement tab = browser.all(".ui-tabs-header a").stream().filter(a -> a.getText().contains("Audit trail"))
                    .findFirst().orElseThrow();
            browser.clickIn(tab, null);
            browser.waitForText("Created team '" + team + "' #" + teamId);
            browser.click("[id$='auditForm:verify']");
            browser.waitForText("The chain holds");
            browser.screenshot("audit");

            String href = browser.find("a[href$='/admin/audit.jsonl']").getAttribute("href");
            HttpResponse<String> download = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(href))
                    .header("Cookie", "JSESSIONID=" + browser.cookie("JSESSIONID").getValue()).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(download.statusCode()).isEqualTo(200);
            assertThat(download.headers().firstValue("Content-Disposition").orElse("")).startsWith("attachment;")
                    .contains(".jsonl");
            List<String> lines = List.of(download.body().split("\n"));
            assertThat(lines.get(0)).contains("\"seq\":1,").contains("\"prev_hash\":\"" + "0".repeat(64) + "\"");
            assertThat(lines).anyMatch(l -> l.contains("Created team '" + team + "' #" + teamId));
        }
    }

    @Test
    void aCrossSitePostWithoutTheViewStateChangesNothing() throws Exception {
        String team = unique("forged-team");
        try (Browser browser = browser("csrf")) {
            signIn(browser, GatewayClient.ADMIN_KEY, null);
            browser.open("admin/access.xhtml");
            String session = browser.cookie("JSESSIONID").getValue();
            HttpClient http = HttpClient.newHttpClient();
            // a browser says where the form came from (refused before Faces sees it); a client that does not is
            // refused for want of this session's view state
            String forgedState = "-1234567890:987654321";
            for (String[] attempt : new String[][] {{"https://attacker.example", null}, {"https://attacker.example", forgedState},
                    {null, forgedState}, {null, null}}) {
                Map<String, String> form = new java.util.LinkedHashMap<>();
                form.put("teams", "teams");
                form.put("teams:name", team);
                form.put("teams:description", "forged");
                form.put("teams:saveTeam", "");
                form.put("jakarta.faces.source", "teams:saveTeam");
                form.put("jakarta.faces.partial.execute", "teams:teamForm");
                if (attempt[1] != null) {
                    form.put("jakarta.faces.ViewState", attempt[1]);
                }
                String body = form.entrySet().stream().map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                        + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8)).collect(Collectors.joining("&"));
                HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(deployment + "admin/access.xhtml"))
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .header("Cookie", "JSESSIONID=" + session)
                        .POST(HttpRequest.BodyPublishers.ofString(body));
                if (attempt[0] != null) {
                    request.header("Origin", attempt[0]).header("Referer", attempt[0] + "/page");
                }
                HttpResponse<String> answer = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
                if (attempt[0] != null) {
                    assertThat(answer.statusCode()).isEqualTo(403);
                    assertThat(answer.body()).contains("sent from another site").contains("Nothing was changed");
                } else if (attempt[1] != null) {
                    assertThat(answer.statusCode()).isEqualTo(403);
                    assertThat(answer.body()).contains("This page has expired").contains("Nothing was changed");
                } else {
                    assertThat(answer.body()).doesNotContain("Created team");
                }
            }
            assertThat(new ApiClient(deployment).get("api/teams?limit=1000").body()).doesNotContain(team);
            // the real page still works with its own view state
            browser.open("admin/access.xhtml").clickId("teams:newTeam");
            browser.type("teams:name", team).clickId("teams:saveTeam");
            browser.waitForText("Created team '" + team + "'");
        }
    }

    @Test
    void aSignInIsNeverCarriedOnInTheSessionTheBrowserArrivedWith() throws Exception {
        FromAddress attacker = new FromAddress(deployment, "127.0.0.41");
        FromAddress victim = new FromAddress(deployment, "127.0.0.42");
        ApiClient.Key own = new ApiClient(deployment).createKey(fields("name", unique("planter"), "role", "keymaster"));

        // the attacker gets a console session id of its own (a sign-in carried over from another node), then
        // signs out: the id signs nobody in any more, and the attacker plants it in the victim's browser
        String attackerToken = token(attacker, own.secret());
        FromAddress.Answer opened = attacker.send("GET", "admin/index.xhtml", Map.of("Cookie", "tr_console=" + attackerToken), null, null);
        assertThat(opened.status()).isEqualTo(200);
        String planted = opened.cookie("JSESSIONID");
        assertThat(planted).isNotNull();
        assertThat(attacker.send("DELETE", "api/session", attackerToken, null).status()).isEqualTo(204);
        assertThat(attacker.send("GET", "admin/index.xhtml", Map.of("Cookie", "JSESSIONID=" + planted), null, null).status())
                .isEqualTo(302);

        // the victim, signed in on another node, arrives here with the planted id and its own console cookie
        String victimToken = token(victim, GatewayClient.ADMIN_KEY);
        FromAddress.Answer restored = victim.send("GET", "admin/settings.xhtml",
                Map.of("Cookie", "JSESSIONID=" + planted + "; tr_console=" + victimToken), null, null);
        assertThat(restored.status()).isEqualTo(200);
        String fresh = restored.cookie("JSESSIONID");
        assertThat(fresh).as("the sign-in carries on in a new session").isNotNull().isNotEqualTo(planted);
        assertSignedOut(attacker.send("GET", "admin/settings.xhtml", Map.of("Cookie", "JSESSIONID=" + planted), null, null));
        assertThat(victim.send("GET", "admin/settings.xhtml", Map.of("Cookie", "JSESSIONID=" + fresh), null, null).status())
                .isEqualTo(200);

        // the same for the sign-in form: a session the victim arrives with (the attacker's, signed in) is ended
        String attackerAgain = token(attacker, own.secret());
        String plantedLive = attacker.send("GET", "admin/index.xhtml", Map.of("Cookie", "tr_console=" + attackerAgain), null, null)
                .cookie("JSESSIONID");
        FromAddress.Answer signedIn = victim.send("POST", "admin/signin.xhtml", Map.of("Cookie", "JSESSIONID=" + plantedLive),
                "application/x-www-form-urlencoded", form("signin", "signin", "signin:key", GatewayClient.ADMIN_KEY,
                        "signin:submit", "", "jakarta.faces.ViewState", "stateless"));
        assertThat(signedIn.status()).as(signedIn.body()).isEqualTo(302);
        assertThat(signedIn.headers().get("location")).endsWith("/admin/index.xhtml");
        String own2 = signedIn.cookie("JSESSIONID");
        assertThat(own2).isNotNull().isNotEqualTo(plantedLive);
        assertSignedOut(attacker.send("GET", "admin/settings.xhtml", Map.of("Cookie", "JSESSIONID=" + plantedLive), null, null));
        assertThat(victim.send("GET", "admin/settings.xhtml", Map.of("Cookie", "JSESSIONID=" + own2), null, null).body())
                .contains("bootstrap-admin");

        // a victim arriving with the attacker's live session and its own console cookie is itself, in a new session
        String attackerThird = token(attacker, own.secret());
        String plantedThird = attacker.send("GET", "admin/index.xhtml", Map.of("Cookie", "tr_console=" + attackerThird), null, null)
                .cookie("JSESSIONID");
        FromAddress.Answer itself = victim.send("GET", "admin/settings.xhtml",
                Map.of("Cookie", "JSESSIONID=" + plantedThird + "; tr_console=" + victimToken), null, null);
        assertThat(itself.status()).as("the victim's own admin page, not the attacker's keymaster session").isEqualTo(200);
        assertThat(itself.body()).contains("bootstrap-admin");
        assertThat(itself.cookie("JSESSIONID")).isNotNull().isNotEqualTo(plantedThird);
        assertSignedOut(attacker.send("GET", "admin/index.xhtml", Map.of("Cookie", "JSESSIONID=" + plantedThird), null, null));
    }

    @Test
    void anonymousVisitorsHoldNoSessionAndForgedSignInsAreRefused() throws Exception {
        FromAddress visitor = new FromAddress(deployment, "127.0.0.43");
        for (String page : List.of("admin/signin.xhtml", "admin/setup.xhtml", "admin/", "admin/access.xhtml")) {
            FromAddress.Answer answer = visitor.send("GET", page, Map.of(), null, null);
            assertThat(answer.status()).as(page).isIn(200, 302);
            assertThat(answer.cookie("JSESSIONID")).as("no session for an anonymous visit of " + page).isNull();
        }
        FromAddress.Answer icon = visitor.send("GET", "favicon.ico", Map.of(), null, null);
        assertThat(icon.status()).as("every page names this icon").isEqualTo(200);
        assertThat(visitor.send("GET", "admin/signin.xhtml", Map.of(), null, null).body()).contains("favicon.ico");
        FromAddress.Answer wrong = visitor.send("POST", "admin/signin.xhtml", Map.of(), "application/x-www-form-urlencoded",
                form("signin", "signin", "signin:key", "tr-not-a-key-" + unique("x"), "signin:submit", "",
                        "jakarta.faces.ViewState", "stateless"));
        assertThat(wrong.status()).isEqualTo(200);
        assertThat(wrong.body()).contains("Incorrect API key provided");
        assertThat(wrong.cookie("JSESSIONID")).as("no session for a failed sign-in").isNull();

        // a sign-in posted by another site's page (login CSRF) is refused before it is tried
        for (Map<String, String> headers : List.of(Map.of("Sec-Fetch-Site", "cross-site"), Map.of("Sec-Fetch-Site", "same-site"),
                Map.of("Origin", "https://attacker.example"))) {
            FromAddress.Answer forged = visitor.send("POST", "admin/signin.xhtml", headers, "application/x-www-form-urlencoded",
                    form("signin", "signin", "signin:key", GatewayClient.ADMIN_KEY, "signin:submit", "",
                            "jakarta.faces.ViewState", "stateless"));
            assertThat(forged.status()).as(headers.toString()).isEqualTo(403);
            assertThat(forged.body()).contains("sent from another site");
            assertThat(forged.cookie("JSESSIONID")).isNull();
            assertThat(forged.cookie("tr_console")).isNull();
        }
    }

    private static String token(FromAddress from, String key) throws Exception {
        FromAddress.Answer session = from.post("api/session", null, ApiClient.json(fields("key", key)));
        assertThat(session.status()).as(session.body()).isEqualTo(201);
        return new com.fasterxml.jackson.databind.ObjectMapper().readTree(session.body()).path("token").asText();
    }

    private static void assertSignedOut(FromAddress.Answer answer) {
        assertThat(answer.status()).as("the planted id opens nothing").isEqualTo(302);
        assertThat(answer.headers().get("location")).endsWith("/admin/signin.xhtml");
    }

    private static byte[] form(String... namesAndValues) {
        StringBuilder body = new StringBuilder();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            body.append(body.length() == 0 ? "" : "&").append(URLEncoder.encode(namesAndValues[i], StandardCharsets.UTF_8))
                    .append('=').append(URLEncoder.encode(namesAndValues[i + 1], StandardCharsets.UTF_8));
        }
        return body.toString().getBytes(StandardCharsets.UTF_8);
    }

    private HttpResponse<String> chat(String key) throws Exception {
        String body = "{\"model\":\"mock/gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":"
                + "\"Show me **code**, and <b>not bold</b>\"}]}";
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(deployment + "v1/chat/completions"))
                .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The key tree's row of a key. */
    private static WebElement row(Browser browser, String keyName) {
        return browser.driver().findElement(By.xpath("//tr[.//span[contains(@class,'tr-key-name') and normalize-space(.)='"
                + keyName + "']]"));
    }

    /** The row of a model in the Models page's price table. */
    private static WebElement priceRow(Browser browser, String model) {
        return browser.driver().findElement(By.xpath("//*[contains(@id,'models:prices')]//tr[.//*[normalize-space(text())='"
                + model + "']]"));
    }

    /** A table row containing {@code text}. */
    private static WebElement rowWith(Browser browser, String text) {
        return browser.driver().findElement(By.xpath("//tr[.//*[normalize-space(text())='" + text + "']]"));
    }
}
