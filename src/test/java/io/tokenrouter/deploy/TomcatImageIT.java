package io.tokenrouter.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import io.tokenrouter.testing.UpstreamExtension;
import io.tokenrouter.testing.Waits;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The configuration of the {@code tomcat-docker/} image on the Tomcat from Maven Central the image is built
 * on: its {@code server.xml} (HTTPS from PEM files, TLS 1.2+, HTTP redirected), its HTTPS-only constraint,
 * its JNDI DataSource from the environment against a real PostgreSQL, with a certificate made for the test.
 * The official OpenAI SDK streams over HTTPS trusting only that certificate; the console's session cookie is
 * Secure. Docker itself is not needed: the Dockerfile is checked for a pinned base and no baked-in secrets.
 */
@ExtendWith(UpstreamExtension.class)
class TomcatImageIT {

    private static final String ADMIN_KEY = "tr-image-admin-key-0123456789abcdef";
    private static final Path IMAGE = Path.of("tomcat-docker");
    private static final ObjectMapper JSON = new ObjectMapper();

    private static EmbeddedPostgres postgres;
    private static Process tomcat;
    private static Path base;
    private static Path log;
    private static int httpPort;
    private static int httpsPort;
    private static SSLContext trusting;
    private static X509TrustManager trustManager;

    @BeforeAll
    static void start() throws Exception {
        postgres = EmbeddedPostgres.builder().setPGStartupWait(Duration.ofSeconds(60)).start();
        try (var c = postgres.getPostgresDatabase().getConnection(); var s = c.createStatement()) {
            s.execute("create user tokenrouter password 'image-test-password'");
            s.execute("create database tokenrouter owner tokenrouter");
        }
        Path catalinaHome = Path.of(System.getProperty("it.tomcat.home"));
        base = Path.of(System.getProperty("it.war")).getParent().resolve("standalone").resolve("image");
        deleteTree(base);
        for (String dir : List.of("webapps", "logs", "temp", "home", "tls", "lib", "conf/Catalina/localhost")) {
            Files.createDirectories(base.resolve(dir));
        }
        try (Stream<Path> conf = Files.list(catalinaHome.resolve("conf"))) {
            for (Path file : conf.filter(Files::isRegularFile).toList()) {
                Files.copy(file, base.resolve("conf").resolve(file.getFileName()));
            }
        }
        // what the Dockerfile does to the stock configuration, and its entry point with TOKENROUTER_DB_URL set
        for (String file : List.of("server.xml", "tokenrouter-connectors.xml", "tokenrouter-host.xml")) {
            Files.copy(IMAGE.resolve("conf").resolve(file), base.resolve("conf").resolve(file),
                    StandardCopyOption.REPLACE_EXISTING);
        }
        String webXml = Files.readString(base.resolve("conf/web.xml"));
        Files.writeString(base.resolve("conf/web.xml"), webXml.replace("</web-app>",
                Files.readString(IMAGE.resolve("conf/https-only.xml")) + "</web-app>"));
        Files.copy(IMAGE.resolve("conf/tokenrouter-context.xml"), base.resolve("conf/Catalina/localhost/ROOT.xml"));
        Files.copy(Path.of(org.postgresql.Driver.class.getProtectionDomain().getCodeSource().getLocation().toURI()),
                base.resolve("lib/postgresql.jar"));
        Files.copy(Path.of(System.getProperty("it.war")), base.resolve("webapps/ROOT.war"));
        makeCertificate(base.resolve("tls"));

        httpPort = freePort();
        httpsPort = freePort();
        log = base.resolve("logs/console.out");
        ProcessBuilder builder = new ProcessBuilder("sh", catalinaHome.resolve("bin/catalina.sh").toString(), "run")
                .redirectErrorStream(true).redirectOutput(log.toFile());
        Map<String, String> env = builder.environment();
        env.put("CATALINA_HOME", catalinaHome.toString());
        env.put("CATALINA_BASE", base.toString());
        env.put("CATALINA_OPTS", "-Xmx512m " + dockerfileEnv("CATALINA_OPTS"));
        env.put("TOKENROUTER_HTTP_PORT", Integer.toString(httpPort));
        env.put("TOKENROUTER_HTTPS_PORT", Integer.toString(httpsPort));
        env.put("TOKENROUTER_HTTPS_PUBLIC_PORT", Integer.toString(httpsPort));
        env.put("TOKENROUTER_TLS_CERTIFICATE", base.resolve("tls/fullchain.pem").toString());
        env.put("TOKENROUTER_TLS_KEY", base.resolve("tls/privkey.pem").toString());
        env.put("TOKENROUTER_DB_URL", postgres.getJdbcUrl("tokenrouter", "tokenrouter"));
        env.put("TOKENROUTER_DB_PASSWORD", "image-test-password");
        env.put("TOKENROUTER_HOME", base.resolve("home").toString());
        env.put("TOKENROUTER_ADMIN_KEY", ADMIN_KEY);
        env.put("PROVIDER_BASE_URL", "http://127.0.0.1:" + UpstreamExtension.upstream().port() + "/v1");
        env.put("PROVIDER_API_KEY", "sk-image-test");
        tomcat = builder.start();
        awaitHealthy();
    }

    @AfterAll
    static void stop() throws Exception {
        if (tomcat != null) {
            tomcat.destroy();
            if (!tomcat.waitFor(30, TimeUnit.SECONDS)) {
                tomcat.descendants().forEach(ProcessHandle::destroyForcibly);
                tomcat.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
        if (postgres != null) {
            postgres.close();
        }
    }

    @Test
    void theOpenAiSdkStreamsOverHttpsTrustingOnlyTheMountedCertificate() {
        OpenAIClient client = OpenAIOkHttpClient.builder().apiKey(ADMIN_KEY).baseUrl(https("/v1")).maxRetries(0)
                .sslSocketFactory(trusting.getSocketFactory()).trustManager(trustManager).build();

        assertThat(client.models().list().data()).extracting(m -> m.id()).contains("default/gpt-4o");
        try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(
                ChatCompletionCreateParams.builder().model("gpt-4o").addUserMessage("Say hello").build())) {
            String text = stream.stream().flatMap(chunk -> chunk.choices().stream())
                    .map(choice -> choice.delta().content().orElse("")).collect(Collectors.joining());
            assertThat(text).isEqualTo("Hello!");
        }
    }

    @Test
    void plainHttpIsRedirectedToHttpsKeepingThePath() throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + httpPort + "/v1/models?x=1")).build(), HttpResponse.BodyHandlers.ofString());

        assertThat(r.statusCode()).isEqualTo(302);
        assertThat(r.headers().firstValue("Location")).hasValue(https("/v1/models?x=1"));
    }

    @Test
    void onlyTls12And13AreOffered() throws Exception {
        assertThat(handshake("TLSv1.3")).isEqualTo("TLSv1.3");
        assertThat(handshake("TLSv1.2")).isEqualTo("TLSv1.2");
        assertThat(handshake("TLSv1.1")).as("TLS 1.1 is refused").isNull();
    }

    @Test
    void theConsolesSessionCookieIsSecureOverHttps() throws Exception {
        HttpResponse<String> anonymous = client().send(HttpRequest.newBuilder(URI.create(https("/admin/signin.xhtml"))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(anonymous.statusCode()).isEqualTo(200);
        assertThat(anonymous.headers().allValues("Set-Cookie")).as("no session before a sign-in").isEmpty();
        // signed in (a session token, as another node's console cookie carries it): the session it opens here
        HttpResponse<String> session = client().send(HttpRequest.newBuilder(URI.create(https("/api/session")))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(
                        "{\"key\":\"" + ADMIN_KEY + "\"}")).build(), HttpResponse.BodyHandlers.ofString());
        String token = JSON.readTree(session.body()).path("token").asText();
        HttpResponse<String> r = client().send(HttpRequest.newBuilder(URI.create(https("/admin/index.xhtml")))
                .header("Cookie", "tr_console=" + token).build(), HttpResponse.BodyHandlers.ofString());

        assertThat(r.statusCode()).isEqualTo(200);
        String cookie = r.headers().allValues("Set-Cookie").stream().filter(c -> c.startsWith("JSESSIONID="))
                .findFirst().orElseThrow(() -> new AssertionError("no session cookie: " + r.headers().map()));
        assertThat(cookie).contains("; Secure").contains("; HttpOnly").contains("SameSite=Strict");
    }

    @Test
    void theDatabaseIsPostgresqlThroughTomcatsPool() throws Exception {
        HttpResponse<String> r = client().send(HttpRequest.newBuilder(URI.create(https("/api/status")))
                .header("Authorization", "Bearer " + ADMIN_KEY).build(), HttpResponse.BodyHandlers.ofString());

        JsonNode database = JSON.readTree(r.body()).path("database");
        assertThat(database.path("product").asText()).isEqualTo("PostgreSQL");
        assertThat(database.path("source").asText()).isEqualTo("JNDI java:comp/env/jdbc/tokenrouter");
        assertThat(database.path("pool").asText()).isEqualTo("container (org.apache.tomcat.jdbc.pool.DataSource)");
        assertThat(database.path("url").asText()).startsWith("jdbc:postgresql://").doesNotContain("image-test-password");
        assertThat(Files.readString(log)).contains("Database: PostgreSQL").doesNotContain("image-test-password");
    }

    @Test
    void theDockerfileIsPinnedRunsUnprivilegedAndHoldsNoSecrets() throws IOException {
        String dockerfile = Files.readString(IMAGE.resolve("Dockerfile"));
        List<String> from = dockerfile.lines().filter(l -> l.startsWith("FROM ")).toList();
        assertThat(from).hasSize(1);
        assertThat(from.get(0)).matches("FROM tomcat:" + Pattern.quote(System.getProperty("it.tomcat.version", "10.1.59"))
                + "-jdk21-temurin(-[a-z]+)?");
        assertThat(dockerfile).containsPattern("(?m)^USER tokenrouter$").containsPattern("(?m)^HEALTHCHECK ")
                .contains("sha256sum -c");
        // no value for anything secret is written into the image
        assertThat(dockerfile).as("ENV/ARG giving a secret a value in the image")
                .doesNotContainPattern("(?m)^(?:ENV|ARG)\\s+[A-Za-z_]*(?:PASSWORD|SECRET|_KEY|TOKEN)[=\\s]")
                .doesNotContainPattern("(?m)^\\s+[A-Za-z_]*(?:PASSWORD|SECRET|_KEY|TOKEN)=");
        assertThat(dockerfile).doesNotContain("tr-").doesNotContain("sk-");
        // every file the test installs is one the image copies
        assertThat(dockerfile).contains("tomcat-docker/conf/server.xml", "tomcat-docker/conf/tokenrouter-connectors.xml",
                "tomcat-docker/conf/tokenrouter-host.xml", "tomcat-docker/conf/tokenrouter-context.xml",
                "tomcat-docker/conf/https-only.xml", "tomcat-docker/entrypoint.sh");
        String compose = Files.readString(IMAGE.resolve("compose.yaml"));
        assertThat(compose).containsPattern("TOKENROUTER_ADMIN_KEY: \\$\\{TOKENROUTER_ADMIN_KEY:\\?")
                .containsPattern("POSTGRES_PASSWORD: \\$\\{POSTGRES_PASSWORD:\\?");
    }

    // ---- helpers ------------------------------------------------------------------------------------------

    private static String https(String path) {
        return "https://127.0.0.1:" + httpsPort + path;
    }

    private static HttpClient client() {
        return HttpClient.newBuilder().sslContext(trusting).connectTimeout(Duration.ofSeconds(5)).build();
    }

    /** The protocol negotiated when the client offers only {@code protocol}, or null when the server refuses it. */
    private static String handshake(String protocol) throws Exception {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, new javax.net.ssl.TrustManager[] {trustManager}, null);
        try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", httpsPort)) {
            SSLParameters parameters = socket.getSSLParameters();
            parameters.setProtocols(new String[] {protocol});
            socket.setSSLParameters(parameters);
            socket.setSoTimeout(5000);
            socket.startHandshake();
            return socket.getSession().getProtocol();
        } catch (javax.net.ssl.SSLException | IllegalArgumentException e) {
            return null;
        }
    }

    /** The value the Dockerfile's ENV gives {@code name}, so the test runs Tomcat as the image does. */
    private static String dockerfileEnv(String name) throws IOException {
        var m = Pattern.compile(name + "=\"([^\"]*)\"").matcher(Files.readString(IMAGE.resolve("Dockerfile")));
        if (!m.find()) {
            throw new AssertionError("The Dockerfile sets no " + name);
        }
        return m.group(1);
    }

    /** A self-signed certificate for 127.0.0.1 as PEM files (the names certbot uses), and a client that trusts it. */
    private static void makeCertificate(Path dir) throws Exception {
        Process openssl = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
                "-keyout", dir.resolve("privkey.pem").toString(), "-out", dir.resolve("fullchain.pem").toString())
                .redirectErrorStream(true).start();
        String output = new String(openssl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (openssl.waitFor() != 0) {
            throw new AssertionError("openssl failed: " + output);
        }
        X509Certificate certificate;
        try (InputStream in = Files.newInputStream(dir.resolve("fullchain.pem"))) {
            certificate = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
        KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
        store.load(null, null);
        store.setCertificateEntry("gateway", certificate);
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(store);
        trustManager = (X509TrustManager) factory.getTrustManagers()[0];
        trusting = SSLContext.getInstance("TLS");
        trusting.init(null, new javax.net.ssl.TrustManager[] {trustManager}, null);
    }

    private static void awaitHealthy() throws Exception {
        Waits.awaitServing("Tomcat", tomcat, client(), URI.create(https("/api/health")), () -> Files.readString(log));
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (Stream<Path> all = Files.walk(dir)) {
                for (Path p : all.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }
}
