package io.tokenrouter.console;

import io.tokenrouter.store.Role;
import io.tokenrouter.api.Json;
import io.tokenrouter.observe.TrafficService;
import io.tokenrouter.usage.Analytics;
import jakarta.faces.view.ViewScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import java.io.Serializable;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * Status: the figures of a chosen range (1 hour to 30 days) as tiles, and requests, tokens and latency
 * over time per provider, model, team, key or client address as charts; the page polls for fresh figures.
 * Keymasters see their own keys only, grouped by key.
 */
@Named
@ViewScoped
public class StatusView implements Serializable {

    private static final long serialVersionUID = 1L;
    static final Map<String, Duration> RANGES = new LinkedHashMap<>();
    private static final int SHOWN_GROUPS = 6;
    private static final String[] COLOURS = {"#2196F3", "#4CAF50", "#FF9800", "#9C27B0", "#F44336", "#00BCD4", "#9E9E9E"};

    static {
        RANGES.put("1h", Duration.ofHours(1));
        RANGES.put("6h", Duration.ofHours(6));
        RANGES.put("24h", Duration.ofHours(24));
        RANGES.put("7d", Duration.ofDays(7));
        RANGES.put("30d", Duration.ofDays(30));
    }

    @Inject
    TrafficService trafficService;

    private String range = "24h";
    private String groupBy;
    private transient Analytics.Report report;

    public void load() {
        if (groupBy == null || !Console.isAdmin()) {
            groupBy = Console.isAdmin() ? "provider" : "key";
        }
        Instant to = Instant.now();
        Instant from = to.minus(RANGES.getOrDefault(range, Duration.ofHours(24)));
        report = Console.attempt(() -> trafficService.usage(Console.caller(), from, to, groupBy), null);
    }

    private Analytics.Report report() {
        if (report == null) {
            load();
        }
        return report;
    }

    public Analytics.Figures getTotals() {
        Analytics.Report r = report();
        return r == null ? null : r.totals();
    }

    public boolean isNoData() {
        Analytics.Report r = report();
        return r == null || r.groups().isEmpty();
    }

    public List<Analytics.Group> getGroups() {
        Analytics.Report r = report();
        return r == null ? List.of() : r.groups();
    }

    public String getRequestsChart() {
        return chart("Requests", f -> f.requests(), true);
    }

    public String getTokensChart() {
        return chart("Tokens", f -> f.totalTokens(), true);
    }

    public String getLatencyChart() {
        return chart("p50 latency (ms)", Analytics.Figures::latencyP50Ms, false);
    }

    /** A Chart.js configuration: one series per group (the largest few, the rest summed as "other"). */
    private String chart(String title, ToDoubleFunction<Analytics.Figures> value, boolean stacked) {
        Analytics.Report r = report();
        if (r == null) {
            return "{}";
        }
        long bucket = r.bucketSeconds();
        long start = r.from().getEpochSecond() - Math.floorMod(r.from().getEpochSecond(), Math.min(bucket, 3600));
        int slots = (int) Math.min(400, (r.to().getEpochSecond() - start) / bucket + 1);
        DateTimeFormatter format = DateTimeFormatter.ofPattern(bucket >= 86400 ? "MMM d" : bucket >= 3600 ? "MMM d HH:mm" : "HH:mm",
                Locale.ROOT).withZone(ZoneOffset.UTC);
        List<String> labels = new ArrayList<>();
        for (int i = 0; i < slots; i++) {
            labels.add(format.format(Instant.ofEpochSecond(start + i * bucket)));
        }
        List<Map<String, Object>> datasets = new ArrayList<>();
        double[] other = new double[slots];
        boolean hasOther = false;
        for (int g = 0; g < r.groups().size(); g++) {
            Analytics.Group group = r.groups().get(g);
            double[] values = new double[slots];
            for (Analytics.Point point : group.series()) {
                int slot = (int) Math.floorDiv(point.t().getEpochSecond() - start, bucket);
                if (slot >= 0 && slot < slots) {
                    values[slot] += value.applyAsDouble(point.figures());
                }
            }
            if (g < SHOWN_GROUPS || !stacked) {
                if (g < SHOWN_GROUPS) {
                    datasets.add(dataset(group.value(), values, COLOURS[g % COLOURS.length], stacked));
                }
            } else {
                hasOther = true;
                for (int i = 0; i < slots; i++) {
                    other[i] += values[i];
                }
            }
        }
        if (hasOther) {
            datasets.add(dataset("other", other, COLOURS[COLOURS.length - 1], true));
        }
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("type", stacked ? "bar" : "line");
        config.put("data", Map.of("labels", labels, "datasets", datasets));
        Map<String, Object> scales = Map.of(
                "x", Map.of("stacked", stacked, "ticks", Map.of("maxTicksLimit", 8, "autoSkip", true)),
                "y", Map.of("stacked", stacked, "beginAtZero", true));
        config.put("options", Map.of("animation", false, "responsive", true, "maintainAspectRatio", false,
                "plugins", Map.of("title", Map.of("display", true, "text", title),
                        "legend", Map.of("position", "bottom")),
                "scales", scales));
        return scriptSafe(Json.text(config));
    }

    /**
     * JSON that may stand inside an inline script: labels are group values (model names as clients sent
     * them, key names, addresses), so {@code <}, {@code >}, {@code &} and the JavaScript line separators are
     * written as escapes. They occur only inside JSON strings, where the escapes mean the same characters.
     */
    static String scriptSafe(String json) {
        return json.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
                .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029");
    }

    private static Map<String, Object> dataset(String label, double[] values, String colour, boolean bar) {
        Map<String, Object> set = new LinkedHashMap<>();
        set.put("label", label == null ? "(none)" : label);
        List<Double> data = new ArrayList<>(values.length);
        for (double v : values) {
            data.add(v);
        }
        set.put("data", data);
        set.put("backgroundColor", colour);
        set.put("borderColor", colour);
        if (!bar) {
            set.put("fill", false);
            set.put("tension", 0.2);
            set.put("pointRadius", 0);
        }
        return set;
    }

    /** Tokens were used but nothing was priced: the cost tile says why it shows nothing. */
    public boolean isUnpriced() {
        Analytics.Figures totals = getTotals();
        return totals != null && totals.cost() == 0 && totals.totalTokens() > 0;
    }

    public String formatCost(double cost) {
        return String.format(Locale.ROOT, "$%,.4f", cost);
    }

    public String formatPercent(double share) {
        return String.format(Locale.ROOT, "%.1f %%", share * 100);
    }

    public String formatMs(Double ms) {
        return ms == null ? "—" : String.format(Locale.ROOT, "%,.0f ms", ms);
    }

    public String formatRate(Double perSecond) {
        return perSecond == null ? "—" : String.format(Locale.ROOT, "%,.1f", perSecond);
    }

    public String formatCount(long n) {
        return Console.number(n);
    }

    public List<String> getRanges() {
        return new ArrayList<>(RANGES.keySet());
    }

    public List<String> getGroupings() {
        return Console.isAdmin() ? List.of("provider", "model", "team", "key", "ip") : List.of("key");
    }

    public boolean isKeymaster() {
        return Console.caller().role() != Role.ADMIN;
    }

    public String getRange() {
        return range;
    }

    public void setRange(String range) {
        this.range = RANGES.containsKey(range) ? range : "24h";
    }

    public String getGroupBy() {
        return groupBy;
    }

    public void setGroupBy(String groupBy) {
        this.groupBy = groupBy;
    }
}
