package io.tokenrouter.provider;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.tokenrouter.access.AuditTrail;
import io.tokenrouter.config.GatewaySettings;
import io.tokenrouter.config.Scheduler;
import io.tokenrouter.events.EventLog;
import io.tokenrouter.routing.Routes;
import io.tokenrouter.runtime.Operations;
import io.tokenrouter.runtime.RuntimeSettings;
import io.tokenrouter.store.Database;
import io.tokenrouter.store.EventRepository;
import io.tokenrouter.store.Provider;
import io.tokenrouter.store.ProviderRepository;
import io.tokenrouter.store.SecretCipher;
import io.tokenrouter.store.TestDatabases;
import io.tokenrouter.upstream.AuthStyle;
import io.tokenrouter.upstream.OutboundHttp;
import io.tokenrouter.upstream.ProviderPreset;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Providers the gateway adds by itself: a local server is found by the answer only its kind gives, added once,
 * kept while a node sees it and removed when none has for a while; the public free-model providers follow their
 * setting; an administrator's own provider of the same name is never touched.
 */
class AutoProvidersTest {

    private Database database;
    private ProviderRepository providers;
    private EventRepository events;
    private AutoProviders auto;
    private final List<String> refreshed = new ArrayList<>();
    private int rebuilds;
    private boolean free;
    private boolean local = true;
    private final List<HttpServer> servers = new ArrayList<>();

    @BeforeEach
    void open() {
        database = TestDatabases.h2();
        providers = TestDatabases.providers(database);
        events = TestDatabases.events(database);
        auto = new AutoProviders();
        auto.providers = providers;
        auto.nodes = TestDatabases.node(database);
        auto.settings = GatewaySettings.load(Map.of("tokenrouter.home", "/nonexistent",
                "tokenrouter.secret_key", "auto-providers-test-secret-0123456789"), Map.of());
        auto.http = new OutboundHttp();
        auto.audit = new AuditTrail(TestDatabases.events(database), TestDatabases.audit(database));
        auto.events = new EventLog(events, new Scheduler() {
            @Override
            public boolean later(String name, Runnable task) {
                task.run();
                return true;
            }
        });
        auto.runtime = new RuntimeSettings() {
            @Override
            public Operations operations() {
                return new Operations(Duration.ofDays(90), Duration.ofDays(30), List.of(), 0.1, Optional.empty(), free, local, true);
            }
        };
        auto.routes = new Routes() {
            @Override
            public void rebuild() {
                rebuilds++;
            }
        };
        auto.discovery = new ProviderProbeService() {
            @Override
            public void refreshSoon(String name) {
                refreshed.add(name);
            }
        };
    }

    @AfterEach
    void close() {
        servers.forEach(s -> s.stop(0));
        TestDatabases.close(database);
    }

    /** A server on a free port of this host answering {@code path} with {@code body}; its base URL. */
    private String server(String path, String body) throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext(path, exchange -> {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        server.start();
        servers.add(server);
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
    }

    private List<String> eventMessages() {
        return events.search(null, "provider", null, 0, 100).items().stream().map(EventRepository.Event::message).toList();
    }

    @Test
    void aLocalServerIsAddedOnceKeptWhileSeenAndRemovedWhenNoNodeHasSeenItForAWhile() throws Exception {
        String ollama = server("/api/tags", "{\"models\":[{\"name\":\"llama3.2:1b\"}]}");
        auto.localServers = List.of(ollamaAt(ollama));

        auto.run();
        auto.run();

        Provider added = providers.find("ollama").orElseThrow();
        assertThat(added.getSource()).isEqualTo(Provider.SOURCE_DETECTED);
        assertThat(added.getBaseUrl()).isEqualTo(ollama);
        assertThat(added.getAuthStyle()).isEqualTo(AuthStyle.NONE.name());
        assertThat(added.isEnabled()).isTrue();
        assertThat(refreshed).containsExactly("ollama");
        assertThat(rebuilds).as("the routes are rebuilt when it is added, not each time it is seen").isEqualTo(1);
        assertThat(eventMessages()).singleElement().asString().contains("Detected Ollama (local) at " + ollama);

        servers.get(0).stop(0);
        auto.clock = Clock.fixed(Instant.now().plus(Duration.ofSeconds(30)), ZoneOffset.UTC);
        auto.run();
        assertThat(providers.find("ollama")).as("seen a moment ago").isPresent();

        auto.clock = Clock.fixed(Instant.now().plus(AutoProviders.GONE_AFTER).plusSeconds(5), ZoneOffset.UTC);
        auto.run();
        assertThat(providers.find("ollama")).isEmpty();
        assertThat(eventMessages()).anySatisfy(m -> assertThat(m).contains("Removed provider 'ollama'", "no node has seen it"));
        assertThat(rebuilds).isEqualTo(2);
        assertThat(TestDatabases.audit(database).page(0, null, null, 10)).as("in the audit trail too")
                .extracting(e -> e.actor() + ": " + e.detail())
                .satisfiesExactly(
                        e -> assertThat(e).startsWith("system (auto_detect_local_servers): Detected Ollama (local) at"),
                        e -> assertThat(e).startsWith("system (auto_detect_local_servers): Removed provider 'ollama'"));
    }

    @Test
    void aServerThatDoesNotAnswerAsItsKindDoesIsNotTakenForIt() throws Exception {
        String other = server("/api/tags", "{\"status\":\"ok\"}");
        String html = server("/props", "<html>not json</html>");
        auto.localServers = List.of(
                new AutoProviders.LocalServer(ProviderPreset.OLLAMA, other, "/api/tags", AutoProviders.USUAL.get(0).recognised()),
                new AutoProviders.LocalServer(ProviderPreset.LLAMACPP, html, "/props", AutoProviders.USUAL.get(3).recognised()),
                new AutoProviders.LocalServer(ProviderPreset.VLLM, "http://127.0.0.1:9/v1", "/v1/models",
                        AutoProviders.USUAL.get(2).recognised()));

        auto.run();

        assertThat(providers.findAll()).isEmpty();
        assertThat(rebuilds).isZero();
    }

    @Test
    void anAdministratorsOwnProviderOfThatNameIsNeverTouched() throws Exception {
        Provider own = new Provider();
        own.setName("ollama");
        own.setPreset("ollama");
        own.setBaseUrl("http://gpu-box:11434/v1");
        own.setAuthStyle(AuthStyle.NONE.name());
        own.setEnabled(true);
        own.setSource(Provider.SOURCE_RUNTIME);
        providers.store(own);
        String ollama = server("/api/tags", "{\"models\":[]}");
        auto.localServers = List.of(ollamaAt(ollama));

        auto.run();
        local = false;
        auto.run();

        assertThat(providers.find("ollama").orElseThrow().getBaseUrl()).isEqualTo("http://gpu-box:11434/v1");
        assertThat(eventMessages()).isEmpty();
    }

    @Test
    void switchingDetectionOffRemovesWhatItAdded() throws Exception {
        String ollama = server("/api/tags", "{\"models\":[]}");
        auto.localServers = List.of(ollamaAt(ollama));
        auto.run();
        assertThat(providers.find("ollama")).isPresent();

        local = false;
        auto.run();

        assertThat(providers.find("ollama")).isEmpty();
        assertThat(eventMessages()).anySatisfy(m -> assertThat(m).contains("auto_detect_local_servers is off"));
    }

    @Test
    void publicFreeModelProvidersFollowTheirSettingAndStayOnceAnAdministratorMadeThemTheirs() {
        local = false;
        auto.localServers = List.of();
        auto.run();
        assertThat(providers.find("opencode-zen")).as("off by default").isEmpty();

        free = true;
        auto.run();
        Provider zen = providers.find("opencode-zen").orElseThrow();
        assertThat(zen.getSource()).isEqualTo(Provider.SOURCE_AUTO);
        assertThat(zen.getBaseUrl()).isEqualTo(ProviderPreset.OPENCODE_ZEN.baseUrl());
        assertThat(zen.getAuthStyle()).as("what OpenCode's keyless clients send").isEqualTo(AuthStyle.BEARER.name());
        assertThat(SecretCipher.from(auto.settings).open(zen.getApiKeySealed())).isEqualTo("public");
        assertThat(refreshed).containsExactly("opencode-zen");

        free = false;
        auto.run();
        assertThat(providers.find("opencode-zen")).isEmpty();

        free = true;
        auto.run();
        Provider again = providers.find("opencode-zen").orElseThrow();
        again.setSource(Provider.SOURCE_RUNTIME); // an administrator edited it
        providers.store(again);
        free = false;
        auto.run();
        assertThat(providers.find("opencode-zen")).isPresent();
    }

    @Test
    void whatTheGatewayAddsNeverBecomesTheFirstProviderNorDoublesOneConfiguredUnderAnotherName() throws Exception {
        String ollama = server("/api/tags", "{\"models\":[]}");
        auto.localServers = List.of(ollamaAt(ollama));
        auto.run();
        Provider own = provider("openai", "https://api.openai.com/v1");
        assertThat(own.getPosition()).as("an administrator's provider comes before the detected one")
                .isLessThan(providers.find("ollama").orElseThrow().getPosition());

        local = false;
        auto.run();
        provider("box", ollama.replace("127.0.0.1", "localhost"));
        local = true;
        auto.run();
        assertThat(providers.find("ollama")).as("the same server, configured as 'box'").isEmpty();
    }

    @Test
    void inAClusterNothingOnOneHostsLoopbackIsAdded() throws Exception {
        String ollama = server("/api/tags", "{\"models\":[]}");
        auto.localServers = List.of(ollamaAt(ollama));
        auto.nodes.heartbeat(Instant.now());
        TestDatabases.node(database).heartbeat(Instant.now());

        auto.run();

        assertThat(providers.find("ollama")).isEmpty();
    }

    @Test
    void urlsOfOneServer() {
        assertThat(AutoProviders.sameServer("http://localhost:11434/v1", "http://127.0.0.1:11434/v1")).isTrue();
        assertThat(AutoProviders.sameServer("http://127.0.0.1:11434", "http://127.0.0.1:11434/v1")).isTrue();
        assertThat(AutoProviders.sameServer("http://127.0.0.1:11435/v1", "http://127.0.0.1:11434/v1")).isFalse();
        assertThat(AutoProviders.sameServer("http://gpu-box:11434/v1", "http://127.0.0.1:11434/v1")).isFalse();
    }

    private static AutoProviders.LocalServer ollamaAt(String baseUrl) {
        return new AutoProviders.LocalServer(ProviderPreset.OLLAMA, baseUrl, "/api/tags", AutoProviders.USUAL.get(0).recognised());
    }

    private Provider provider(String name, String url) {
        Provider p = new Provider();
        p.setName(name);
        p.setBaseUrl(url);
        p.setAuthStyle(AuthStyle.NONE.name());
        p.setEnabled(true);
        p.setSource(Provider.SOURCE_RUNTIME);
        return providers.store(p);
    }
}
