package io.tokenrouter.console;

import io.tokenrouter.access.KeyService;
import io.tokenrouter.access.KeyView;
import io.tokenrouter.access.TeamService;
import io.tokenrouter.access.TeamView;
import io.tokenrouter.observe.StatusService;
import io.tokenrouter.quota.QuotaView;
import io.tokenrouter.store.ProviderQuotaRepository.ProviderQuota;
import jakarta.faces.view.ViewScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import java.io.Serializable;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Quota: what each provider says is left of the organisation's allowance (from its rate-limit headers or key
 * endpoint), low ones highlighted; and every team's and key's usage against its limits, with a reset.
 * Keymasters see their own keys only.
 */
@Named
@ViewScoped
public class QuotaPage implements Serializable {

    private static final long serialVersionUID = 1L;

    @Inject
    StatusService statusService;
    @Inject
    KeyService keys;
    @Inject
    TeamService teams;

    /** One limit of a team or key, with the usage against it. */
    public record Line(String kind, long ownerId, String owner, QuotaView quota) {
        public double getShare() {
            return quota.share();
        }
    }

    private transient List<Line> lines;

    public List<ProviderQuota> getProviders() {
        if (!Console.isAdmin()) {
            return List.of();
        }
        return Console.listOf(() -> statusService.providerQuotas(Console.caller()));
    }

    public List<Line> getLines() {
        if (lines == null) {
            List<Line> result = new ArrayList<>();
            if (Console.isAdmin()) {
                for (TeamView t : Console.listOf(() -> teams.list(Console.caller(), 0, 1000).items())) {
                    add(result, "team", t.id(), t.name(), t.quotas());
                }
            }
            for (KeyView k : Console.listOf(() -> keys.list(Console.caller(), 0, AccessView.MAX_KEYS).items())) {
                if (k.revokedAt() == null) {
                    add(result, "key", k.id(), k.name(), k.quotas());
                }
            }
            lines = result;
        }
        return lines;
    }

    private static void add(List<Line> result, String kind, long id, String name, List<QuotaView> quotas) {
        if (quotas != null) {
            quotas.forEach(q -> result.add(new Line(kind, id, name, q)));
        }
    }

    public void reset(Line line) {
        Object done = "team".equals(line.kind())
                ? Console.attempt(() -> teams.reset(Console.caller(), line.ownerId()), "Reset the usage of team '" + line.owner() + "'.")
                : Console.attempt(() -> keys.reset(Console.caller(), line.ownerId()), "Reset the usage of key '" + line.owner() + "'.");
        if (done != null) {
            lines = null;
        }
    }

    public String percent(double share) {
        return String.format(Locale.ROOT, "%.0f %%", share * 100);
    }

    /** An amount of the quota's metric: a count, or dollars for a budget. */
    public String amount(QuotaView quota, Number n) {
        return Console.amount(quota, n);
    }

    public String count(Long n) {
        return n == null ? "—" : Console.number(n);
    }

    public String money(Double d) {
        return d == null ? "—" : String.format(Locale.ROOT, "$%,.2f", d);
    }

    public String relative(Instant t) {
        return t == null ? "never (total)" : Console.relative(t);
    }

    public String time(Instant t) {
        return Console.time(t);
    }
}
