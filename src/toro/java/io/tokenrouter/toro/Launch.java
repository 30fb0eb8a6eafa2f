package io.tokenrouter.toro;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One run of a tool under a temporary key: the key is created beneath the connected one (role inferrer,
 * the TTL capped at the parent's own expiry, optionally fewer models and its own quotas), the tool runs
 * with the gateway's URL and that key and with the terminal passed through, and the key is revoked when
 * the tool exits, whatever way it exits. Ctrl-C reaches the tool from the terminal and the tool decides
 * (Codex, opencode and Claude Code use it to interrupt a turn); SIGTERM and SIGHUP sent to toro are passed on to the
 * tool first. The parent key is never in the tool's environment.
 */
final class Launch {

    /** What each tool needs to talk to the gateway. */
    enum Tool { CODEX, OPENCODE, CLAUDE, WRAP }

    /**
     * Claude Code's variables that would point it elsewhere or give it another credential: the user's own are
     * never passed on (an Anthropic API key would otherwise reach the gateway, or win over the temporary key).
     */
    static final List<String> CLAUDE_OVERRIDDEN = List.of("ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN", "ANTHROPIC_BASE_URL",
            "ANTHROPIC_MODEL", "ANTHROPIC_SMALL_FAST_MODEL", "ANTHROPIC_DEFAULT_HAIKU_MODEL", "CLAUDE_CODE_USE_BEDROCK",
            "CLAUDE_CODE_USE_VERTEX", "ANTHROPIC_BEDROCK_BASE_URL", "ANTHROPIC_VERTEX_BASE_URL");

    /** The variable the tools below read the temporary key from. */
    static final String KEY_VARIABLE = "TOKENROUTER_API_KEY";
    private static final Duration GRACE = Duration.ofSeconds(10);

    private final Toro toro;
    private final Tool tool;
    private final String program;
    private final List<String> args;
    private final String urlEnv;
    private final String keyEnv;
    private volatile Process child;
    private volatile String stopSignal;

    Launch(Toro toro, Tool tool, String program, List<String> args, String urlEnv, String keyEnv) {
        this.toro = toro;
        this.tool = tool;
        this.program = program;
        this.args = args;
        this.urlEnv = urlEnv;
        this.keyEnv = keyEnv;
    }

    int run() {
        Path executable = resolve(program, toro.env.get("PATH"));
        Duration ttl = toro.ttl();
        Connection connection = Connection.load(toro.env);
        installSignalHandlers();
        try (Gateway gateway = new Gateway(connection.url(), connection.key())) {
            JsonNode me = gateway.me();
            Toro.requireManager(me);
            JsonNode created = gateway.createKey(draft(me, ttl));
            String secret = created.path("key").asText();
            JsonNode details = created.path("details");
            long id = details.path("id").asLong();
            String keyName = details.path("name").asText();
            String expires = details.path("expires_at").asText(null);
            toro.err.println("toro: temporary key '" + keyName + "' #" + id + " for " + program + ", expires "
                    + Toro.local(expires));
            int code;
            try {
                code = stopSignal != null ? 128 + signalNumber(stopSignal) : runChild(executable, gateway, secret);
            } finally {
                revoke(gateway, id, keyName, expires);
            }
            return code;
        }
    }

    private ObjectNode draft(JsonNode me, Duration ttl) {
        ObjectNode draft = Gateway.JSON.createObjectNode();
        draft.put("name", toro.name != null && !toro.name.isBlank() ? toro.name.trim() : defaultName());
        draft.put("role", "inferrer");
        draft.put("parent_id", me.path("key").path("id").asLong());
        String parentExpiry = me.path("effective_expires_at").asText(null);
        if (parentExpiry != null && !parentExpiry.equals("null")
                && Instant.parse(parentExpiry).isBefore(Instant.now().plus(ttl))) {
            toro.err.println("toro: the parent key expires " + Toro.local(parentExpiry)
                    + ", before --ttl " + toro.ttl + " ends; the temporary key expires with it");
            draft.put("expires_at", parentExpiry);
        } else {
            draft.put("ttl", ttl.toSeconds() + "s");
        }
        if (!toro.models.isEmpty()) {
            ArrayNode models = draft.putArray("allowed_models");
            toro.models.forEach(models::add);
        }
        ArrayNode quotas = Gateway.JSON.createArrayNode();
        if (toro.requests != null) {
            quotas.addObject().put("metric", "requests").put("period", "total").put("limit", toro.requests);
        }
        if (toro.tokens != null) {
            quotas.addObject().put("metric", "tokens").put("period", "total").put("limit", toro.tokens);
        }
        if (!quotas.isEmpty()) {
            draft.set("quotas", quotas);
        }
        return draft;
    }

    private String defaultName() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            host = toro.env.getOrDefault("HOSTNAME", "localhost");
        }
        String label = tool == Tool.WRAP ? Path.of(program).getFileName().toString() : program;
        return label + " on " + host + " at " + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm"));
    }

    private int runChild(Path executable, Gateway gateway, String secret) {
        List<String> command = new ArrayList<>();
        command.add(executable.toString());
        ProcessBuilder builder = new ProcessBuilder().inheritIO();
        Map<String, String> env = builder.environment();
        env.clear();
        env.putAll(toro.env);
        env.remove(Connection.KEY_ENV);
        String v1 = gateway.url() + "/v1";
        switch (tool) {
            case WRAP -> {
                env.put(urlEnv, v1);
                env.put(keyEnv, secret);
            }
            case CODEX -> {
                env.put(KEY_VARIABLE, secret);
                String p = "model_providers.tokenrouter.";
                for (String setting : List.of("model_provider=\"tokenrouter\"", p + "name=\"TokenRouter\"",
                        p + "base_url=" + tomlString(v1), p + "env_key=\"" + KEY_VARIABLE + "\"", p + "wire_api=\"responses\"")) {
                    command.add("-c");
                    command.add(setting);
                }
                if (!toro.models.isEmpty()) {
                    command.add("-c");
                    command.add("model=" + tomlString(toro.models.get(0)));
                }
            }
            case CLAUDE -> claudeEnvironment(env, gateway.url(), secret, toro.models);
            case OPENCODE -> env.put("OPENCODE_CONFIG_CONTENT", opencodeConfig(env.get("OPENCODE_CONFIG_CONTENT"), v1,
                    secret, gateway.models(secret)));
        }
        command.addAll(args);
        builder.command(command);
        try {
            child = builder.start();
        } catch (IOException e) {
            throw new ToroException(ToroException.COMMAND_NOT_EXECUTABLE, "cannot run " + program + ": " + e.getMessage());
        }
        if (stopSignal != null) {
            child.destroy();
        }
        while (true) {
            try {
                int code = child.waitFor();
                if (stopSignal != null) {
                    toro.err.println("toro: " + program + " stopped after SIG" + stopSignal + " (exit code " + code + ")");
                }
                return code;
            } catch (InterruptedException e) {
                // keep waiting: the key is revoked only once the tool is gone
            }
        }
    }

    /**
     * Claude Code speaks the Anthropic Messages API: its base URL is the gateway's root (it adds {@code
     * /v1/messages}), the temporary key goes as its auth token (sent as {@code Authorization: Bearer}), and a
     * {@code --model} becomes its model, for the main loop and for its small background requests alike (a key
     * limited to that model could not serve another). Only variables: nothing is written to its settings.
     */
    static void claudeEnvironment(Map<String, String> env, String gateway, String secret, List<String> models) {
        CLAUDE_OVERRIDDEN.forEach(env::remove);
        env.put("ANTHROPIC_BASE_URL", gateway);
        env.put("ANTHROPIC_AUTH_TOKEN", secret);
        if (!models.isEmpty()) {
            env.put("ANTHROPIC_MODEL", models.get(0));
            env.put("ANTHROPIC_SMALL_FAST_MODEL", models.get(0));
            env.put("ANTHROPIC_DEFAULT_HAIKU_MODEL", models.get(0));
        }
    }

    /** opencode's inline configuration: a provider for the gateway with the key's models, merged over any given. */
    static String opencodeConfig(String existing, String v1, String secret, List<String> models) {
        ObjectNode config;
        try {
            JsonNode given = existing == null || existing.isBlank() ? null : Gateway.JSON.readTree(existing);
            config = given instanceof ObjectNode o ? o : Gateway.JSON.createObjectNode();
        } catch (IOException e) {
            config = Gateway.JSON.createObjectNode();
        }
        ObjectNode provider = config.with("provider").putObject("tokenrouter");
        provider.put("npm", "@ai-sdk/openai-compatible");
        provider.put("name", "TokenRouter");
        provider.putObject("options").put("baseURL", v1).put("apiKey", secret);
        ObjectNode listed = provider.putObject("models");
        models.forEach(m -> listed.putObject(m).put("name", m));
        if (!models.isEmpty() && !config.has("model")) {
            config.put("model", "tokenrouter/" + models.get(0));
        }
        return config.toString();
    }

    private void revoke(Gateway gateway, long id, String keyName, String expires) {
        try {
            gateway.revokeKey(id);
            toro.err.println("toro: revoked temporary key '" + keyName + "' #" + id);
        } catch (ToroException e) {
            toro.err.println("toro: could not revoke temporary key #" + id + " (" + e.getMessage() + "); it expires "
                    + Toro.local(expires) + ", or revoke it with 'toro keys revoke " + id + "'");
        }
    }

    /**
     * SIGINT is left to the tool (the terminal sends Ctrl-C to it as well); SIGTERM and SIGHUP are passed
     * on to it, and if it has not ended after {@link #GRACE} it is killed.
     */
    private void installSignalHandlers() {
        // a platform without these signals keeps the defaults
        Signals.handle("INT", signal -> { });
        for (String name : List.of("TERM", "HUP")) {
            Signals.handle(name, this::stop);
        }
    }

    private void stop(String signal) {
        if (stopSignal != null) {
            return;
        }
        stopSignal = signal;
        Process running = child;
        toro.err.println("toro: SIG" + signal + " received; " + (running == null ? "not starting " + program
                : "passing it on to " + program));
        if (running != null) {
            running.destroy();
            Thread killer = new Thread(() -> {
                try {
                    if (!running.waitFor(GRACE.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
                        toro.err.println("toro: " + program + " still running after " + GRACE.toSeconds() + " s; killing it");
                        running.destroyForcibly();
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "toro-grace");
            killer.setDaemon(true);
            killer.start();
        }
    }

    private static int signalNumber(String name) {
        return switch (name) {
            case "HUP" -> 1;
            case "INT" -> 2;
            default -> 15;
        };
    }

    /** The program as the shell would find it; fails like the shell (127, 126) before any key is made. */
    static Path resolve(String program, String path) {
        if (program.contains(File.separator)) {
            Path p = Path.of(program);
            if (!Files.exists(p)) {
                throw new ToroException(ToroException.COMMAND_NOT_FOUND, "command not found: " + program);
            }
            if (Files.isDirectory(p) || !Files.isExecutable(p)) {
                throw new ToroException(ToroException.COMMAND_NOT_EXECUTABLE, "not executable: " + program);
            }
            return p.toAbsolutePath();
        }
        for (String dir : (path == null ? "" : path).split(File.pathSeparator)) {
            if (dir.isEmpty()) {
                continue;
            }
            Path candidate = Path.of(dir, program);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        String hint = switch (program) {
            case "codex" -> " (install it with 'npm install -g @openai/codex')";
            case "opencode" -> " (install it with 'npm install -g opencode-ai')";
            case "claude" -> " (install Claude Code with 'npm install -g @anthropic-ai/claude-code')";
            default -> "";
        };
        throw new ToroException(ToroException.COMMAND_NOT_FOUND, "command not found: " + program + hint);
    }

    private static String tomlString(String value) {
        return "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
