package io.tokenrouter.console;

import io.tokenrouter.access.Caller;
import io.tokenrouter.access.TeamDraft;
import io.tokenrouter.access.TeamService;
import io.tokenrouter.access.TeamView;
import jakarta.faces.view.ViewScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * The team form of the access page (create, edit, reset, delete), beside {@link AccessView}'s lists, which it
 * has read anew after each change. Every change goes through {@link TeamService}, which authorizes, validates
 * and audits it.
 */
@Named
@ViewScoped
public class TeamForm implements Serializable {

    private static final long serialVersionUID = 1L;

    @Inject
    TeamService teams;
    @Inject
    AccessView access;

    private Long editingTeam;
    private String teamName;
    private String teamDescription;
    private List<String> teamModels = new ArrayList<>();
    private boolean teamDisabled;
    private List<String> teamUnmetered = new ArrayList<>();
    private List<QuotaRow> teamQuotas = new ArrayList<>();

    public void newTeam() {
        editingTeam = null;
        teamName = null;
        teamDescription = null;
        teamModels = new ArrayList<>();
        teamDisabled = false;
        teamQuotas = new ArrayList<>();
        teamUnmetered = new ArrayList<>();
    }

    public void editTeam(TeamView team) {
        editingTeam = team.id();
        teamName = team.name();
        teamDescription = team.description();
        teamModels = team.allowedModels() == null ? new ArrayList<>() : new ArrayList<>(team.allowedModels());
        teamDisabled = team.disabled();
        teamQuotas = QuotaRow.of(team.quotas());
        teamUnmetered = team.unmetered() == null ? new ArrayList<>() : new ArrayList<>(team.unmetered());
    }

    public void saveTeam() {
        Caller caller = Console.caller();
        TeamDraft draft = new TeamDraft(teamName, teamDescription == null ? "" : teamDescription,
                teamModels == null ? List.of() : teamModels, teamDisabled, QuotaRow.specs(teamQuotas),
                teamUnmetered == null ? List.of() : teamUnmetered);
        Object saved = editingTeam == null
                ? Console.attempt(() -> teams.create(caller, draft), "Created team '" + teamName + "'.")
                : Console.attempt(() -> teams.update(caller, editingTeam, draft), "Saved team '" + teamName + "'.");
        if (saved != null) {
            access.reload();
            org.primefaces.PrimeFaces.current().executeScript("PF('teamDialog').hide()");
        }
    }

    public void resetTeam(TeamView team) {
        if (Console.attempt(() -> teams.reset(Console.caller(), team.id()), "Reset the usage of team '" + team.name() + "'.") != null) {
            access.reload();
        }
    }

    public void deleteTeam(TeamView team) {
        if (Console.attempt(() -> teams.delete(Console.caller(), team.id()), "Deleted team '" + team.name() + "'.")) {
            access.reload();
        }
    }

    public void addTeamQuota() {
        teamQuotas.add(new QuotaRow());
    }

    public void removeTeamQuota(QuotaRow row) {
        teamQuotas.remove(row);
    }

    // ---- properties

    public boolean isEditingTeamNow() {
        return editingTeam != null;
    }

    public String getTeamName() {
        return teamName;
    }

    public void setTeamName(String teamName) {
        this.teamName = teamName;
    }

    public String getTeamDescription() {
        return teamDescription;
    }

    public void setTeamDescription(String teamDescription) {
        this.teamDescription = teamDescription;
    }

    public List<String> getTeamModels() {
        return teamModels;
    }

    public void setTeamModels(List<String> teamModels) {
        this.teamModels = teamModels;
    }

    public boolean isTeamDisabled() {
        return teamDisabled;
    }

    public void setTeamDisabled(boolean teamDisabled) {
        this.teamDisabled = teamDisabled;
    }

    public List<QuotaRow> getTeamQuotas() {
        return teamQuotas;
    }

    public List<String> getTeamUnmetered() {
        return teamUnmetered;
    }

    public void setTeamUnmetered(List<String> teamUnmetered) {
        this.teamUnmetered = teamUnmetered;
    }
}
