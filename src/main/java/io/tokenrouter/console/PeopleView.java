package io.tokenrouter.console;

import io.tokenrouter.access.TeamService;
import io.tokenrouter.store.PersonRepository.Person;
import io.tokenrouter.sso.PersonDirectory;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;

/** The People page: who signs in through single sign-on, and disabling or enabling them (admins only). */
@Named
@RequestScoped
public class PeopleView {

    private static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'")
            .withZone(ZoneOffset.UTC);

    @Inject
    PersonDirectory directory;
    @Inject
    TeamService teams;

    private List<Person> people;

    public List<Person> getPeople() {
        if (people == null) {
            people = Console.listOf(directory::list);
        }
        return people;
    }

    public void disable(long id) {
        Console.attempt(() -> directory.setDisabled(Console.caller(), id, true), "Disabled; their sessions have ended.");
        people = null;
    }

    public void enable(long id) {
        Console.attempt(() -> directory.setDisabled(Console.caller(), id, false), "Enabled; they can sign in again.");
        people = null;
    }

    public String teamName(Person person) {
        if (person.teamId() == null) {
            return "";
        }
        return Console.attempt(() -> teams.get(Console.caller(), person.teamId()).name(), null);
    }

    public String when(Instant at) {
        return at == null ? "never" : WHEN.format(at);
    }
}
