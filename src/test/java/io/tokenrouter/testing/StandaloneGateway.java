package io.tokenrouter.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The built WAR in a Tomcat of its own (the test Tomcat's installation and configuration, its own
 * CATALINA_BASE, port and TOKENROUTER_HOME), for tests that need a fresh installation: a first run with no
 * admin key, whose one-time setup token is read from the server's log as an administrator would.
 */
public final class StandaloneGateway implements AutoCloseable {

    private static final Pattern SETUP_TOKEN = Pattern.compile("one-time setup token (\\S+)");

    private final Path base;
    private Process tomcat;
    private final Path log;
    private final int port;

    /** Starts it with {@code toml} as its tokenrouter.toml and waits until it serves requests. */
    public StandaloneGateway(String name, String toml) throws IOException, InterruptedException {
        Path catalinaHome = Path.of(System.getProperty("it.tomcat.home"));
        base = Path.of(System.getProperty("it.war")).getParent().resolve("standalone").resolve(name);
        deleteTree(base);
        Files.createDirectories(base.resolve("webapps"));
        Files.createDirectories(base.resolve("logs"));
        Files.createDirectories(base.resolve("temp"));
        Files.createDirectories(base.resolve("home"));
        try (Stream<Path> conf = Files.list(catalinaHome.resolve("conf"))) {
            Files.createDirectories(base.resolve("conf"));
            for (Path file : conf.filter(Files::isRegularFile).toList()) {
                Files.copy(file, base.resolve("conf").resolve(file.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        Files.copy(Path.of(System.getProperty("it.war")), base.resolve("webapps/ROOT.war"));
        Files.writeString(base.resolve("home/tokenrouter.toml"), toml);
        port = freePort();
        log = base.resolve("logs/console.out");
        launch(catalinaHome);
    }

    private void launch(Path catalinaHome) throws IOException {
        ProcessBuilder builder = new ProcessBuilder("sh", catalinaHome.resolve("bin/catalina.sh").toString(), "run")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().put("CATALINA_HOME", catalinaHome.toString());
        builder.environment().put("CATALINA_BASE", base.toString());
        builder.environment().put("CATALINA_OPTS", "-Xmx512m -Dit.tomcat.port=" + port
                + " -Dtokenrouter.home=" + base.resolve("home"));
        tomcat = builder.start();
        awaitStarted();
    }

    /** The gateway's address, ending in a slash. */
    public String url() {
        return "http://127.0.0.1:" + port + "/";
    }

    /** The one-time setup token the gateway printed at start (as an administrator finds it in the log). */
    public String setupToken() throws IOException {
        Matcher m = SETUP_TOKEN.matcher(Files.readString(log, StandardCharsets.UTF_8));
        if (!m.find()) {
            throw new AssertionError("No setup token in the server log");
        }
        return m.group(1);
    }

    public String serverLog() throws IOException {
        return Files.readString(log, StandardCharsets.UTF_8);
    }

    private void awaitStarted() throws IOException {
        Waits.awaitServing("Tomcat", tomcat, HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build(),
                URI.create(url() + "api/setup"), this::serverLog);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    /** Kills Tomcat with SIGKILL, as a crash or an OOM killer would: no shutdown hook runs. */
    public void kill() throws InterruptedException {
        tomcat.descendants().forEach(ProcessHandle::destroyForcibly);
        tomcat.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    }

    /** Starts Tomcat again on the same port with the same home (and what is left in it), and waits until it serves. */
    public void restart() throws IOException {
        launch(Path.of(System.getProperty("it.tomcat.home")));
    }

    /** This gateway's home directory (its tokenrouter.toml, its journal). */
    public Path home() {
        return base.resolve("home");
    }

    /** Stops Tomcat gracefully (SIGTERM runs its shutdown hook), forcibly after 30 s. */
    @Override
    public void close() {
        tomcat.destroy();
        try {
            if (!tomcat.waitFor(30, TimeUnit.SECONDS)) {
                tomcat.descendants().forEach(ProcessHandle::destroyForcibly);
                tomcat.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static {
        // a JVM that ends without close() must not leave a Tomcat behind
        Runtime.getRuntime().addShutdownHook(new Thread(() -> ProcessHandle.current().descendants()
                .filter(p -> p.info().commandLine().orElse("").contains("standalone"))
                .forEach(ProcessHandle::destroy)));
    }
}
