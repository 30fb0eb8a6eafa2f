package io.tokenrouter.toro;

import static io.tokenrouter.toro.Toro.describe;
import static io.tokenrouter.toro.Toro.local;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** The commands that show what the connected key has: the keys beneath it (and revoking one), its status, its models. */
final class KeyCommands {

    private KeyCommands() {
    }

    @Command(name = "keys", mixinStandardHelpOptions = true, description = "Lists or revokes the keys beneath yours.",
            subcommands = {Keys.List.class, Keys.Revoke.class})
    static final class Keys implements Callable<Integer> {
        @ParentCommand
        Toro toro;

        @Override
        public Integer call() {
            return new List().list(toro, false);
        }

        @Command(name = "list", mixinStandardHelpOptions = true,
                description = "Lists the keys created beneath the connected key (toro's temporary keys among them).")
        static final class List implements Callable<Integer> {
            @ParentCommand
            Keys keys;

            @Option(names = "--all", description = "Every key the connected key may manage, not only its own children.")
            boolean all;

            @Override
            public Integer call() {
                return list(keys.toro, all);
            }

            int list(Toro toro, boolean everything) {
                try (Gateway gateway = toro.connect()) {
                    long mine = gateway.me().path("key").path("id").asLong();
                    java.util.List<JsonNode> shown = gateway.keys().stream()
                            .filter(k -> everything || k.path("parent_id").asLong(-1) == mine).toList();
                    if (shown.isEmpty()) {
                        toro.out.println(everything ? "No keys." : "No keys beneath key #" + mine + ".");
                        return 0;
                    }
                    toro.out.printf("%-7s %-40s %-10s %-9s %-25s %s%n", "ID", "NAME", "ROLE", "STATE", "EXPIRES", "LAST USED");
                    Instant now = Instant.now();
                    for (JsonNode k : shown) {
                        String state = !k.path("revoked_at").isNull() && k.has("revoked_at") ? "revoked"
                                : k.path("expires_at").isTextual() && Instant.parse(k.path("expires_at").asText()).isBefore(now)
                                ? "expired" : "active";
                        toro.out.printf("%-7s %-40s %-10s %-9s %-25s %s%n", k.path("id").asLong(),
                                cut(k.path("name").asText(), 40), k.path("role").asText()
                                        + (k.path("temporary").asBoolean() ? "*" : ""), state,
                                local(k.path("expires_at").asText(null)), k.path("last_used_at").isTextual()
                                        ? local(k.path("last_used_at").asText()) : "never");
                    }
                    toro.out.println("(* temporary)");
                    return 0;
                }
            }
        }

        @Command(name = "revoke", mixinStandardHelpOptions = true, description = "Revokes a key beneath yours.")
        static final class Revoke implements Callable<Integer> {
            @ParentCommand
            Keys keys;

            @Parameters(paramLabel = "ID", description = "The key's id (see 'toro keys').")
            long id;

            @Override
            public Integer call() {
                try (Gateway gateway = keys.toro.connect()) {
                    JsonNode key = gateway.revokeKey(id);
                    keys.toro.out.println("Revoked key '" + key.path("name").asText() + "' #" + id + ".");
                    return 0;
                }
            }
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true,
            description = "Shows the connected key, its limits and the usage of its keys over the last 24 hours.")
    static final class Status implements Callable<Integer> {
        @ParentCommand
        Toro toro;

        @Override
        public Integer call() {
            Connection c = Connection.load(toro.env);
            try (Gateway gateway = new Gateway(c.url(), c.key())) {
                JsonNode me = gateway.me();
                toro.out.println("Server: " + c.url() + " (from " + c.source() + ")");
                toro.out.println("Key:    " + describe(me));
                JsonNode allowed = me.path("effective_allowed_models");
                toro.out.println("Models: " + (allowed.isArray() ? join(allowed) : "all the gateway offers"));
                JsonNode limits = me.path("limits");
                if (limits.isEmpty()) {
                    toro.out.println("Limits: none");
                } else {
                    toro.out.println("Limits:");
                    for (JsonNode l : limits) {
                        JsonNode q = l.path("quota");
                        toro.out.printf("  %-10s %-24s %-8s %,d of %,d used (%,d left)%s%n", l.path("owner").asText(),
                                cut(l.path("name").asText(), 24), q.path("metric").asText() + "/" + q.path("period").asText(),
                                q.path("used").asLong(), q.path("limit").asLong(), q.path("remaining").asLong(),
                                q.path("resets_at").isTextual() ? ", resets " + local(q.path("resets_at").asText()) : "");
                    }
                }
                JsonNode usage = gateway.usage(Instant.now().minus(Duration.ofHours(24)).toString(), "key");
                JsonNode t = usage.path("totals");
                toro.out.printf("Last 24 h: %s, %s (%,d prompt, %,d completion), %,d refused, %s, cost %.4f%n",
                        count(t.path("requests").asLong(), "request"), count(t.path("total_tokens").asLong(), "token"),
                        t.path("prompt_tokens").asLong(), t.path("completion_tokens").asLong(), t.path("refusals").asLong(),
                        count(t.path("errors").asLong(), "error"), t.path("cost").asDouble());
                for (JsonNode g : usage.path("groups")) {
                    JsonNode f = g.path("totals");
                    toro.out.printf("  %-40s %17s %19s%n", cut(g.path("value").asText(), 40),
                            count(f.path("requests").asLong(), "request"), count(f.path("total_tokens").asLong(), "token"));
                }
                return 0;
            }
        }
    }

    @Command(name = "models", mixinStandardHelpOptions = true, description = "Lists the models the connected key may use.")
    static final class Models implements Callable<Integer> {
        @ParentCommand
        Toro toro;

        @Override
        public Integer call() {
            Connection c = Connection.load(toro.env);
            try (Gateway gateway = new Gateway(c.url(), c.key())) {
                gateway.models(c.key()).forEach(toro.out::println);
                return 0;
            }
        }
    }

    static String join(JsonNode array) {
        List<String> items = new ArrayList<>();
        array.forEach(n -> items.add(n.asText()));
        return String.join(", ", items);
    }

    /** "1 request", "2,048 requests". */
    static String count(long n, String noun) {
        return String.format(java.util.Locale.ROOT, "%,d %s%s", n, noun, n == 1 ? "" : "s");
    }

    static String cut(String text, int width) {
        return text.length() <= width ? text : text.substring(0, width - 1) + "…";
    }
}
