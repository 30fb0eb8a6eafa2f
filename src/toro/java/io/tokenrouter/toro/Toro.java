package io.tokenrouter.toro;

import com.fasterxml.jackson.databind.JsonNode;
import io.tokenrouter.config.Durations;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code toro}: the TokenRouter command-line companion. It runs a tool (Codex CLI, opencode, Claude Code, or any
 * OpenAI-compatible program) under a temporary key of its own, created beneath the connected parent key
 * and revoked when the tool exits, and shows the keys, limits, usage and models of that parent key.
 */
@Command(name = "toro", mixinStandardHelpOptions = true, versionProvider = Toro.Version.class, sortOptions = false,
        description = {"Runs a tool under a temporary TokenRouter key of its own, revoked when the tool exits.", ""},
        subcommands = {Toro.Connect.class, Toro.Login.class, Toro.Codex.class, Toro.Opencode.class, Toro.Claude.class, Toro.Wrap.class,
                KeyCommands.Keys.class, KeyCommands.Status.class, KeyCommands.Models.class},
        footerHeading = "%nExamples:%n",
        footer = {"  toro connect https://gateway.example.com",
                "  toro login https://gateway.example.com",
                "  toro --ttl 2h codex",
                "  toro --model gpt-4o --requests 500 opencode",
                "  toro --ttl 1h wrap -- python my_agent.py",
                "",
                "The server and parent key come from TOKENROUTER_URL and TOKENROUTER_KEY when set, else from "
                        + "~/.config/tokenrouter/toro.toml (written by 'toro connect' or 'toro login').",
                "",
                "Exit codes: the tool's own exit code; 2 wrong usage or options the server refused; 69 server "
                        + "unreachable; 75 refused by a quota; 76 unexpected answer from the server; 77 parent key "
                        + "refused (unknown, revoked, expired, or not a keymaster or admin key), or toro login refused; "
                        + "78 not connected yet; "
                        + "126 command not executable; 127 command not found."})
public final class Toro implements Callable<Integer> {

    static final DateTimeFormatter LOCAL = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss z");

    @Option(names = "--ttl", defaultValue = "8h", paramLabel = "DURATION",
            description = "How long the temporary key lives at most, e.g. 30m, 8h, 2d (default: ${DEFAULT-VALUE}).")
    String ttl;

    @Option(names = "--name", paramLabel = "NAME",
            description = "The temporary key's name (default: the tool, this host and the time).")
    String name;

    @Option(names = "--model", paramLabel = "MODEL",
            description = "A model the temporary key may use (repeatable; default: all its parent may use).")
    List<String> models = new ArrayList<>();

    @Option(names = "--requests", paramLabel = "N", description = "At most N requests with the temporary key.")
    Long requests;

    @Option(names = "--tokens", paramLabel = "N", description = "At most N tokens with the temporary key.")
    Long tokens;

    final Map<String, String> env;
    final PrintWriter out;
    final PrintWriter err;
    final BufferedReader in;

    Toro(Map<String, String> env, PrintWriter out, PrintWriter err, BufferedReader in) {
        this.env = env;
        this.out = out;
        this.err = err;
        this.in = in;
    }

    public static void main(String[] args) {
        PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
        PrintWriter err = new PrintWriter(System.err, true, StandardCharsets.UTF_8);
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        System.exit(run(args, System.getenv(), out, err, in));
    }

    /** Runs one command line and answers its exit code; every expected failure is one line on {@code err}. */
    static int run(String[] args, Map<String, String> env, PrintWriter out, PrintWriter err, BufferedReader in) {
        CommandLine line = new CommandLine(new Toro(env, out, err, in));
        line.setOut(out);
        line.setErr(err);
        for (String passThrough : List.of("codex", "opencode", "claude", "wrap")) {
            CommandLine sub = line.getSubcommands().get(passThrough);
            sub.setStopAtPositional(true);
            sub.setUnmatchedOptionsArePositionalParams(true);
        }
        line.setExecutionExceptionHandler((e, cmd, parsed) -> {
            if (e instanceof ToroException failure) {
                err.println("toro: " + failure.getMessage());
                return failure.exitCode();
            }
            throw e;
        });
        return line.execute(args);
    }

    @Override
    public Integer call() {
        new CommandLine(this).usage(err);
        return 2;
    }

    /** The --ttl value, checked. */
    Duration ttl() {
        try {
            Duration d = Durations.parse("--ttl", ttl);
            if (d.isZero() || d.isNegative() || d.compareTo(Duration.ofDays(3650)) > 0) {
                throw new IllegalArgumentException("--ttl must be between 1s and 3650d, not '" + ttl + "'");
            }
            return d;
        } catch (RuntimeException e) {
            throw new ToroException(2, e instanceof IllegalArgumentException && !(e instanceof NumberFormatException)
                    ? e.getMessage() : "--ttl is too large: " + ttl);
        }
    }

    Gateway connect() {
        Connection c = Connection.load(env);
        return new Gateway(c.url(), c.key());
    }

    static String local(String isoInstant) {
        return isoInstant == null || isoInstant.isBlank() || "null".equals(isoInstant) ? "never"
                : LOCAL.format(Instant.parse(isoInstant).atZone(ZoneId.systemDefault()));
    }

    // ---------------------------------------------------------------- connect

    @Command(name = "connect", mixinStandardHelpOptions = true,
            description = {"Checks a server URL and a parent key (keymaster or admin) and stores both for later runs.",
                    "The key is read without echo (or from TOKENROUTER_KEY, or from stdin when not on a terminal)."})
    static final class Connect implements Callable<Integer> {
        @ParentCommand
        Toro toro;

        @Parameters(arity = "0..1", paramLabel = "URL", description = "The gateway's address, e.g. https://gateway.example.com")
        String url;

        @Override
        public Integer call() throws IOException {
            String server = url != null ? url : prompt("TokenRouter server URL: ");
            if (server == null || server.isBlank()) {
                throw new ToroException(2, "no server URL given");
            }
            server = Connection.normalise(server);
            String key = toro.env.get(Connection.KEY_ENV);
            if (key == null || key.isBlank()) {
                key = secret("Parent key (keymaster or admin, input hidden): ");
            }
            if (key == null || key.isBlank()) {
                throw new ToroException(2, "no key given");
            }
            key = key.trim();
            JsonNode me;
            try (Gateway gateway = new Gateway(server, key)) {
                me = gateway.me();
            }
            requireManager(me);
            Connection connection = new Connection(server, key, "toro connect");
            java.nio.file.Path file = Connection.file(toro.env);
            connection.store(file);
            toro.out.println("Connected to " + server + " as " + describe(me) + ".");
            toro.out.println("Saved to " + file + " (readable by you only).");
            return 0;
        }

        private String prompt(String question) throws IOException {
            java.io.Console console = System.console();
            if (console != null) {
                return console.readLine("%s", question);
            }
            return toro.in.readLine();
        }

        private String secret(String question) throws IOException {
            java.io.Console console = System.console();
            if (console != null) {
                char[] typed = console.readPassword("%s", question);
                return typed == null ? null : new String(typed);
            }
            return toro.in.readLine();
        }
    }

    // ---------------------------------------------------------------- login

    @Command(name = "login", mixinStandardHelpOptions = true,
            description = {"Signs you in through your organisation's identity provider (single sign-on) and stores a "
                    + "key of your own for later runs.",
                    "toro shows an address and a code: open the address in a browser, sign in, and confirm the code. "
                            + "Only confirm a code you started yourself."})
    static final class Login implements Callable<Integer> {
        @ParentCommand
        Toro toro;

        @Parameters(arity = "0..1", paramLabel = "URL",
                description = "The gateway's address (default: the one toro is connected to).")
        String url;

        @Override
        public Integer call() throws IOException, InterruptedException {
            String server = url != null ? url : toro.env.get(Connection.URL_ENV);
            if (server == null || server.isBlank()) {
                server = Connection.storedUrl(toro.env);
            }
            if (server == null || server.isBlank()) {
                throw new ToroException(2, "no server URL given: toro login https://gateway.example.com");
            }
            server = Connection.normalise(server);
            JsonNode done;
            try (Gateway gateway = new Gateway(server, null)) {
                JsonNode started = gateway.ssoDeviceStart();
                String deviceCode = started.path("device_code").asText();
                String complete = started.path("verification_uri_complete").asText(null);
                toro.out.println("To sign in, open " + started.path("verification_uri").asText() + " in a browser and"
                        + " enter the code " + started.path("user_code").asText());
                if (complete != null && !complete.isBlank() && !complete.equals("null")) {
                    toro.out.println("(or open " + complete + ")");
                }
                long expiresIn = Math.max(1, started.path("expires_in").asLong(600));
                toro.out.println("Waiting for you to confirm it (the code expires in " + Math.max(1, expiresIn / 60)
                        + " min)…");
                toro.out.flush();
                long interval = Math.max(1, started.path("interval").asLong(5));
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(expiresIn);
                while (true) {
                    TimeUnit.SECONDS.sleep(interval);
                    done = gateway.ssoDevicePoll(deviceCode);
                    if (done == Gateway.SLOW_DOWN) {
                        interval += 5;
                    } else if (done != null) {
                        break;
                    }
                    if (System.nanoTime() - deadline > 0) {
                        throw new ToroException(ToroException.KEY_REFUSED, "the code expired before it was confirmed;"
                                + " run toro login again");
                    }
                }
            }
            Connection connection = new Connection(server, done.path("key").asText(), "toro login");
            java.nio.file.Path file = Connection.file(toro.env);
            connection.store(file);
            JsonNode key = done.path("details");
            String expires = key.path("expires_at").asText(null);
            toro.out.println("Signed in as " + done.path("person").asText() + " (" + done.path("role").asText()
                    + "). Your key '" + key.path("name").asText() + "' #" + key.path("id").asLong() + " is a keymaster key"
                    + " beneath " + done.path("parent").asText() + (expires == null || expires.equals("null") ? ""
                    : ", expires " + local(expires)) + ".");
            toro.out.println("Saved to " + file + " (readable by you only).");
            return 0;
        }
    }

    /** Fails unless the key may create keys beneath itself. */
    static void requireManager(JsonNode me) {
        String role = me.path("role").asText();
        if (!role.equals("admin") && !role.equals("keymaster")) {
            throw new ToroException(ToroException.KEY_REFUSED, "key '" + me.path("key").path("name").asText()
                    + "' is an " + role + " key, which cannot create keys; use a keymaster or admin key");
        }
    }

    static String describe(JsonNode me) {
        JsonNode key = me.path("key");
        StringBuilder text = new StringBuilder("'" + key.path("name").asText() + "' #" + key.path("id").asLong()
                + " (" + me.path("role").asText());
        if (me.path("team").isObject()) {
            text.append(", team ").append(me.path("team").path("name").asText());
        }
        String expires = me.path("effective_expires_at").asText(null);
        if (expires != null && !expires.equals("null")) {
            text.append(", expires ").append(local(expires));
        }
        return text.append(')').toString();
    }

    // ---------------------------------------------------------------- running tools

    /** A tool toro knows how to point at the gateway; the arguments after its name are passed to it unchanged. */
    abstract static class ToolCommand implements Callable<Integer> {
        @ParentCommand
        Toro toro;

        @Parameters(arity = "0..*", paramLabel = "ARG", description = "Arguments for the tool, passed unchanged.")
        List<String> args = new ArrayList<>();

        abstract Launch.Tool tool();

        @Override
        public Integer call() {
            String program = tool().name().toLowerCase(java.util.Locale.ROOT);
            return new Launch(toro, tool(), program, args, null, null).run();
        }
    }

    @Command(name = "codex", description = "Runs the Codex CLI against the gateway with a temporary key.")
    static final class Codex extends ToolCommand {
        @Override
        Launch.Tool tool() {
            return Launch.Tool.CODEX;
        }
    }

    @Command(name = "opencode", description = "Runs opencode against the gateway with a temporary key.")
    static final class Opencode extends ToolCommand {
        @Override
        Launch.Tool tool() {
            return Launch.Tool.OPENCODE;
        }
    }

    @Command(name = "claude", description = "Runs Claude Code against the gateway with a temporary key.")
    static final class Claude extends ToolCommand {
        @Override
        Launch.Tool tool() {
            return Launch.Tool.CLAUDE;
        }
    }

    @Command(name = "wrap", mixinStandardHelpOptions = true, description = {"Runs any OpenAI-compatible program with the gateway's /v1 URL and a "
            + "temporary key in its environment."})
    static final class Wrap implements Callable<Integer> {
        @ParentCommand
        Toro toro;

        @Option(names = "--url-env", defaultValue = "OPENAI_BASE_URL", paramLabel = "VAR",
                description = "The variable that gets the gateway's /v1 URL (default: ${DEFAULT-VALUE}).")
        String urlEnv;

        @Option(names = "--key-env", defaultValue = "OPENAI_API_KEY", paramLabel = "VAR",
                description = "The variable that gets the temporary key (default: ${DEFAULT-VALUE}).")
        String keyEnv;

        @Parameters(arity = "1..*", paramLabel = "COMMAND", description = "The program and its arguments.")
        List<String> command = new ArrayList<>();

        @Override
        public Integer call() {
            List<String> rest = command.subList(1, command.size());
            return new Launch(toro, Launch.Tool.WRAP, command.get(0), rest, urlEnv, keyEnv).run();
        }
    }

    // ---------------------------------------------------------------- keys, status, models

    /** The version from the jar's manifest. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Toro.class.getPackage().getImplementationVersion();
            return new String[] {"toro " + (v == null ? "(development build)" : v)};
        }
    }
}
