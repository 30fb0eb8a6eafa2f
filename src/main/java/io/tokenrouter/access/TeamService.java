package io.tokenrouter.access;

import io.tokenrouter.store.OwnerType;
import io.tokenrouter.api.GatewayException;
import io.tokenrouter.quota.QuotaService;
import io.tokenrouter.quota.QuotaSpec;
import io.tokenrouter.store.Database;
import io.tokenrouter.store.Page;
import io.tokenrouter.store.Team;
import io.tokenrouter.store.TeamRepository;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.List;

/**
 * Teams, for admins only: create, change (including their quotas), disable, reset and delete them; keys
 * of a disabled team stop working. Each operation authorizes its caller, validates, runs in one
 * transaction with its quota changes and writes its audit entry in that transaction.
 */
@ApplicationScoped
public class TeamService {

    @Inject
    TeamRepository teams;
    @Inject
    QuotaService quotas;
    @Inject
    KeyLookup lookup;
    @Inject
    Database database;
    @Inject
    AuditTrail audit;

    public Page<TeamView> list(Caller actor, int offset, int limit) {
        Authorization.requireAdmin(actor);
        Page<Team> page = teams.findAll(offset, limit);
        return new Page<>(page.items().stream().map(this::view).toList(), page.total());
    }

    public TeamView get(Caller actor, long id) {
        Authorization.requireAdmin(actor);
        return view(find(id));
    }

    public TeamView create(Caller actor, TeamDraft draft) {
        Authorization.requireAdmin(actor);
        List<QuotaSpec> specs = QuotaSpec.validateAll(draft.quotas());
        return database.inTransaction(em -> {
            Team team = new Team();
            team.setCreatedAt(Instant.now());
            apply(team, draft.name() == null ? "" : draft.name(), draft);
            Team stored = teams.store(team);
            if (specs != null) {
                quotas.set(OwnerType.TEAM, stored.getId(), specs);
            }
            audit.record(actor, "Created team '" + stored.getName() + "' #" + stored.getId());
            return view(stored);
        });
    }

    public TeamView update(Caller actor, long id, TeamDraft draft) {
        Authorization.requireAdmin(actor);
        List<QuotaSpec> specs = QuotaSpec.validateAll(draft.quotas());
        TeamView view = database.inTransaction(em -> {
            Team team = find(id);
            apply(team, draft.name(), draft);
            Team stored = teams.store(team);
            if (specs != null) {
                quotas.set(OwnerType.TEAM, id, specs);
            }
            audit.record(actor, "Changed team '" + stored.getName() + "' #" + id);
            return view(stored);
        });
        lookup.invalidateAll();
        return view;
    }

    public TeamView setQuotas(Caller actor, long id, List<QuotaSpec> wanted) {
        Authorization.requireAdmin(actor);
        List<QuotaSpec> specs = QuotaSpec.validateAll(wanted == null ? List.of() : wanted);
        return database.inTransaction(em -> {
            Team team = find(id);
            quotas.set(OwnerType.TEAM, id, specs);
            audit.record(actor, "Set the quotas of team '" + team.getName() + "' #" + id);
            return view(team);
        });
    }

    public TeamView reset(Caller actor, long id) {
        Authorization.requireAdmin(actor);
        return database.inTransaction(em -> {
            Team team = find(id);
            quotas.reset(OwnerType.TEAM, id);
            audit.record(actor, "Reset the quotas of team '" + team.getName() + "' #" + id);
            return view(team);
        });
    }

    public void delete(Caller actor, long id) {
        Authorization.requireAdmin(actor);
        database.run(em -> {
            Team team = find(id);
            if (!teams.delete(id)) {
                throw GatewayException.conflict("The team still has keys; revoke and remove them, or disable the team.");
            }
            audit.record(actor, "Deleted team '" + team.getName() + "' #" + id);
        });
    }

    Team find(long id) {
        return teams.find(id).orElseThrow(() -> GatewayException.notFound("No team with id " + id + "."));
    }

    private TeamView view(Team team) {
        return TeamView.of(team).withQuotas(quotas.view(OwnerType.TEAM, team.getId()));
    }

    private void apply(Team team, String name, TeamDraft draft) {
        if (name != null) {
            if (name.isBlank() || name.length() > 200) {
                throw GatewayException.invalidRequest("name", "name is required (1 to 200 characters).");
            }
            teams.findByName(name.trim()).filter(other -> !other.getId().equals(team.getId())).ifPresent(other -> {
                throw GatewayException.conflict("A team named '" + name.trim() + "' already exists.");
            });
            team.setName(name.trim());
        }
        if (draft.description() != null) {
            team.setDescription(draft.description());
        }
        if (draft.allowedModels() != null) {
            team.setAllowedModels(String.join(",", draft.allowedModels().stream().map(String::trim)
                    .filter(m -> !m.isEmpty()).toList()));
        }
        if (draft.disabled() != null) {
            team.setDisabled(draft.disabled());
        }
        if (draft.unmetered() != null) {
            team.setUnmeteredAllowed(Unmetered.validate(draft.unmetered()));
        }
    }
}
