package io.tokenrouter.access;

import io.tokenrouter.api.GatewayException;
import io.tokenrouter.store.Page;
import io.tokenrouter.store.Team;
import io.tokenrouter.store.TeamRepository;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.List;

/** Teams: admins create, change, disable and delete them; keys of a disabled team stop working. */
@ApplicationScoped
public class TeamService {

    @Inject
    TeamRepository teams;
    @Inject
    KeyLookup lookup;

    public Page<TeamView> list(int offset, int limit) {
        Page<Team> page = teams.findAll(offset, limit);
        return new Page<>(page.items().stream().map(TeamView::of).toList(), page.total());
    }

    public TeamView get(long id) {
        return TeamView.of(find(id));
    }

    public TeamView create(String name, String description, List<String> allowedModels, Boolean disabled) {
        Team team = new Team();
        team.setCreatedAt(Instant.now());
        apply(team, name == null ? "" : name, description, allowedModels, disabled);
        return TeamView.of(teams.store(team));
    }

    public TeamView update(long id, String name, String description, List<String> allowedModels, Boolean disabled) {
        Team team = find(id);
        apply(team, name, description, allowedModels, disabled);
        TeamView view = TeamView.of(teams.store(team));
        lookup.invalidateAll();
        return view;
    }

    public void delete(long id) {
        find(id);
        if (!teams.delete(id)) {
            throw GatewayException.conflict("The team still has keys; revoke and remove them, or disable the team.");
        }
    }

    public Team find(long id) {
        return teams.find(id).orElseThrow(() -> GatewayException.notFound("No team with id " + id + "."));
    }

    private void apply(Team team, String name, String description, List<String> allowedModels, Boolean disabled) {
        if (name != null) {
            if (name.isBlank() || name.length() > 200) {
                throw GatewayException.invalidRequest("name", "name is required (1 to 200 characters).");
            }
            teams.findByName(name.trim()).filter(other -> !other.getId().equals(team.getId())).ifPresent(other -> {
                throw GatewayException.conflict("A team named '" + name.trim() + "' already exists.");
            });
            team.setName(name.trim());
        }
        if (description != null) {
            team.setDescription(description);
        }
        if (allowedModels != null) {
            team.setAllowedModels(String.join(",", allowedModels.stream().map(String::trim).filter(m -> !m.isEmpty()).toList()));
        }
        if (disabled != null) {
            team.setDisabled(disabled);
        }
    }
}
