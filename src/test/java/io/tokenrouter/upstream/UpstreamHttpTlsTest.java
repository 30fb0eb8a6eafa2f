package io.tokenrouter.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Providers are reached over TLS (every hosted provider is): the certificate is checked against the JVM's
 * trust store ({@code javax.net.ssl.trustStore}, else the JDK's) and must name the host the provider's
 * {@code base_url} names. Each provider here is a local HTTPS server with a certificate made for the test.
 */
class UpstreamHttpTlsTest {

    private static final String PASSWORD = "changeit";

    @TempDir
    static Path dir;

    private final List<HttpsServer> servers = new ArrayList<>();
    private final Map<String, String> savedProperties = new HashMap<>();
    private UpstreamHttp http;

    @BeforeAll
    static void certificates() throws Exception {
        // one certificate for 127.0.0.1, one for another name only; a trust store that trusts both
        keytool("-genkeypair", "-keystore", "right.p12", "-alias", "provider", "-dname", "CN=127.0.0.1",
                "-ext", "SAN=ip:127.0.0.1,dns:localhost");
        keytool("-genkeypair", "-keystore", "other.p12", "-alias", "provider", "-dname", "CN=api.example.com",
                "-ext", "SAN=dns:api.example.com");
        for (String name : List.of("right", "other")) {
            keytool("-exportcert", "-keystore", name + ".p12", "-alias", "provider", "-file", name + ".cer");
            keytool("-importcert", "-noprompt", "-keystore", "trust.p12", "-alias", name, "-file", name + ".cer");
        }
    }

    @AfterEach
    void stop() {
        if (http != null) {
            http.close();
        }
        servers.forEach(server -> server.stop(0));
        savedProperties.forEach((key, value) -> {
            if (value == null) {
                System.clearProperty(key);
            } else {
                System.setProperty(key, value);
            }
        });
    }

    @Test
    void aProviderWhoseCertificateIsTrustedAndNamesItsHostAnswers() throws Exception {
        trustTestCertificates();
        HttpsServer provider = provider("right.p12");

        assertThat(post(provider).get(10, TimeUnit.SECONDS)).isEqualTo("{\"answer\":\"over TLS\"}");
    }

    @Test
    void aCertificateTheTrustStoreDoesNotKnowIsRefused() throws Exception {
        HttpsServer provider = provider("right.p12");

        assertThatThrownBy(() -> post(provider).get(10, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(SSLHandshakeException.class).hasMessageContaining("certification path");
    }

    @Test
    void aTrustedCertificateForAnotherHostIsRefused() throws Exception {
        trustTestCertificates();
        HttpsServer provider = provider("other.p12");

        assertThatThrownBy(() -> post(provider).get(10, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(SSLHandshakeException.class).hasMessageContaining("127.0.0.1");
    }

    /** Points the JVM's trust store at the test's; restored after the test. */
    private void trustTestCertificates() {
        Map.of("javax.net.ssl.trustStore", dir.resolve("trust.p12").toString(),
                "javax.net.ssl.trustStorePassword", PASSWORD, "javax.net.ssl.trustStoreType", "PKCS12")
                .forEach((key, value) -> {
                    savedProperties.put(key, System.getProperty(key));
                    System.setProperty(key, value);
                });
    }

    private HttpsServer provider(String keystore) throws Exception {
        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(dir.resolve(keystore))) {
            keys.load(in, PASSWORD.toCharArray());
        }
        KeyManagerFactory managers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        managers.init(keys, PASSWORD.toCharArray());
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(managers.getKeyManagers(), null, null);
        HttpsServer server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(tls));
        server.createContext("/v1/chat/completions", exchange -> {
            exchange.getRequestBody().readAllBytes();
            byte[] answer = "{\"answer\":\"over TLS\"}".getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, answer.length);
            exchange.getResponseBody().write(answer);
            exchange.close();
        });
        server.start();
        servers.add(server);
        return server;
    }

    /** A chat request to {@code provider} through a client started now (so it reads the trust store now). */
    private CompletableFuture<String> post(HttpsServer provider) {
        http = new UpstreamHttp();
        http.init();
        return UpstreamCallTest.postEmptyObject(http,
                URI.create("https://127.0.0.1:" + provider.getAddress().getPort() + "/v1/chat/completions"));
    }

    private static void keytool(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        if (args[0].equals("-genkeypair")) {
            command.addAll(List.of("-keyalg", "EC", "-groupname", "secp256r1", "-validity", "2"));
        }
        command.addAll(List.of("-storetype", "PKCS12", "-storepass", PASSWORD));
        Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IllegalStateException("keytool " + String.join(" ", args) + " failed: " + output);
        }
    }
}
