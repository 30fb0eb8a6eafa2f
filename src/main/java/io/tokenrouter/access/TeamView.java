package io.tokenrouter.access;

import io.tokenrouter.quota.QuotaView;
import io.tokenrouter.store.Team;
import java.time.Instant;
import java.util.List;

/** A team as the API shows it. */
public record TeamView(long id, String name, String description, List<String> allowedModels, boolean disabled,
                       Instant createdAt, List<QuotaView> quotas, List<String> unmetered) {

    public static TeamView of(Team t) {
        return new TeamView(t.getId(), t.getName(), t.getDescription(), KeyView.list(t.getAllowedModels()),
                t.isDisabled(), t.getCreatedAt(), null, List.copyOf(Unmetered.parse(t.getUnmeteredAllowed())));
    }

    public TeamView withQuotas(List<QuotaView> quotas) {
        return new TeamView(id, name, description, allowedModels, disabled, createdAt, quotas, unmetered);
    }
}
