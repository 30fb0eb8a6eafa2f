package io.tokenrouter.sso;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tokenrouter.access.Caller;
import io.tokenrouter.access.SessionService;
import io.tokenrouter.access.TestSessions;
import io.tokenrouter.api.GatewayException;
import io.tokenrouter.config.GatewaySettings;
import io.tokenrouter.config.SsoSettings;
import io.tokenrouter.store.ApiKey;
import io.tokenrouter.store.Database;
import io.tokenrouter.store.PersonRepository.Person;
import io.tokenrouter.store.Role;
import io.tokenrouter.store.Team;
import io.tokenrouter.store.TestDatabases;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * People admitted by single sign-on, on H2 and PostgreSQL: roles and teams from their groups at every sign-in,
 * the refusals (no role, disabled, unknown team, foreign email domain), disabling, one record for a person who
 * signs in on several nodes at once, and sessions bounded by the ID token.
 */
class PersonDirectoryTest {

    private static final TestDatabases.Opened OPENED = new TestDatabases.Opened();
    private static final String ISSUER = "https://idp.example.com/realms/acme";

    static Stream<Named<Supplier<Database>>> databases() {
        return OPENED.both();
    }

    @AfterAll
    static void closeAll() {
        OPENED.closeAll();
    }

    private static SsoSettings sso(List<String> domains) {
        return new SsoSettings(URI.create(ISSUER), "gateway", Optional.empty(), List.of("openid"), Optional.empty(),
                "groups", List.of("gw-admins"), List.of("gw-keymasters"), Optional.of("team"), domains, "Acme",
                true, Duration.ofSeconds(60), Duration.ofSeconds(10), new SsoSettings.Cli(Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.empty(), Duration.ofDays(30)));
    }

    private static PersonDirectory directory(Database database) {
        GatewaySettings settings = GatewaySettings.load(Map.of("tokenrouter.home", "/nonexistent"), Map.of());
        PersonDirectory directory = new PersonDirectory();
        directory.settings = settings;
        directory.people = TestDatabases.people(database);
        directory.keys = TestDatabases.keys(database);
        directory.teams = TestDatabases.teams(database);
        directory.database = database;
        directory.sessions = TestSessions.sessions(database, settings);
        directory.audit = TestSessions.audit(database);
        directory.lookup = TestSessions.lookup(database, settings);
        return directory;
    }

    private static PersonDirectory.Claims person(String subject, String team, String... groups) {
        return new PersonDirectory.Claims(ISSUER, subject, subject + "@acme.example", true, "Person " + subject,
                List.of(groups), team);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("databases")
    void aPersonsRoleAndTeamAreTakenAfreshAtEverySignIn(Supplier<Database> opened) {
        Database database = opened.get();
        PersonDirectory directory = directory(database);
        Team draft = new Team();
        draft.setName("platform-" + System.nanoTime());
        draft.setCreatedAt(Instant.now());
        Team team = TestDatabases.teams(database).store(draft);
        String subject = "ada-" + System.nanoTime();

        PersonDirectory.Admitted first = directory.admit(sso(List.of()), person(subject, null, "staff", "gw-admins"),
                "10.0.0.1");
        assertThat(first.key().getRole()).isEqualTo(Role.ADMIN);
        assertThat(first.key().getKeyHash()).startsWith("person:");
        assertThat(first.key().getName()).isEqualTo(subject + "@acme.example");
        assertThat(first.person().lastSignInIp()).isEqualTo("10.0.0.1");
        assertThat(TestDatabases.keys(database).countUsableAdmins()).as("nobody holds a person's key").isZero();

        ApiKey made = new ApiKey();
        made.setName("made by ada");
        made.setKeyHash("h-" + System.nanoTime());
        made.setDisplayPrefix("tr-x");
        made.setRole(Role.ADMIN);
        made.setParentId(first.key().getId());
        made.setCreatedAt(Instant.now());
        TestDatabases.keys(database).store(made);
        PersonDirectory.Admitted second = directory.admit(sso(List.of()),
                person(subject, team.getName(), "gw-keymasters"), "10.0.0.2");
        assertThat(second.person().id()).isEqualTo(first.person().id());
        assertThat(second.key().getId()).isEqualTo(first.key().getId());
        ApiKey stored = TestDatabases.keys(database).find(first.key().getId()).orElseThrow();
        assertThat(stored.getRole()).isEqualTo(Role.KEYMASTER);
        assertThat(stored.getTeamId()).isEqualTo(team.getId());
        assertThat(second.person().groups()).isEqualTo("gw-keymasters");
        assertThat(TestDatabases.audit(database).page(0, null, null, 1000)).extracting(e -> e.detail())
                .anyMatch(d -> d.contains("signed in for the first time, as admin"))
                .anyMatch(d -> d.contains("now has role keymaster in team #" + team.getId() + " (was admin)")
                        && d.contains("1 key(s) beneath them keep a higher role or another team"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("databases")
    void noRoleAnUnknownTeamAndAForeignOrUnverifiedEmailAreRefused(Supplier<Database> opened) {
        PersonDirectory directory = directory(opened.get());
        String subject = "eve-" + System.nanoTime();
        assertThatThrownBy(() -> directory.admit(sso(List.of()), person(subject, null, "staff"), "10.0.0.1"))
                .isInstanceOfSatisfying(SsoRefusal.class, e -> assertThat(e.reason()).isEqualTo("no_role"));
        assertThatThrownBy(() -> directory.admit(sso(List.of()), person(subject, "no-such-team", "gw-admins"), "10.0.0.1"))
                .isInstanceOfSatisfying(SsoRefusal.class, e -> assertThat(e.reason()).isEqualTo("unknown_team"));
        assertThatThrownBy(() -> directory.admit(sso(List.of("corp.example")), person(subject, null, "gw-admins"),
                "10.0.0.1")).isInstanceOfSatisfying(SsoRefusal.class, e -> assertThat(e.reason()).isEqualTo("email_domain"));
        PersonDirectory.Claims unverified = new PersonDirectory.Claims(ISSUER, subject, subject + "@acme.example", false,
                null, List.of("gw-admins"), null);
        assertThatThrownBy(() -> directory.admit(sso(List.of("acme.example")), unverified, "10.0.0.1"))
                .isInstanceOfSatisfying(SsoRefusal.class, e -> assertThat(e.reason()).isEqualTo("email_domain"));
        assertThat(directory.people.find(ISSUER, subject)).as("nobody refused is recorded").isEmpty();
        assertThat(directory.admit(sso(List.of("@ACME.example")), person(subject, null, "gw-admins"), "10.0.0.1")
                .key().getRole()).isEqualTo(Role.ADMIN);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("databases")
    void aDisabledPersonsSessionsEndAndTheirSignInsAreRefusedUntilEnabled(Supplier<Database> opened) {
        Database database = opened.get();
        PersonDirectory directory = directory(database);
        SessionService sessions = directory.sessions;
        PersonDirectory.Admitted ada = directory.admit(sso(List.of()), person("ada-" + System.nanoTime(), null,
                "gw-admins"), "10.0.0.1");
        PersonDirectory.Admitted bob = directory.admit(sso(List.of()), person("bob-" + System.nanoTime(), null,
                "gw-keymasters"), "10.0.0.1");
        Instant idTokenEnds = Instant.now().plus(Duration.ofMinutes(5)).truncatedTo(ChronoUnit.MILLIS);
        SessionService.Opened bobs = sessions.openForPerson(bob.key(), bob.person().id(), "10.0.0.1", idTokenEnds,
                "sealed", null);
        assertThat(bobs.expiresAt()).as("no session outlives the ID token").isEqualTo(idTokenEnds);
        Caller admin = sessions.resolve(sessions.openForPerson(ada.key(), ada.person().id(), "10.0.0.1", null, null,
                null).token());
        assertThat(sessions.resolve(bobs.token()).role()).isEqualTo(Role.KEYMASTER);

        assertThatThrownBy(() -> directory.setDisabled(sessions.resolve(bobs.token()), ada.person().id(), true))
                .as("keymasters do not disable people").isInstanceOfSatisfying(GatewayException.class,
                        e -> assertThat(e.status()).isEqualTo(403));
        assertThatThrownBy(() -> directory.setDisabled(admin, ada.person().id(), true)).as("nor anyone themselves")
                .isInstanceOfSatisfying(GatewayException.class, e -> assertThat(e.status()).isEqualTo(409));

        Person disabled = directory.setDisabled(admin, bob.person().id(), true);
        assertThat(disabled.disabled()).isTrue();
        assertThat(disabled.disabledBy()).contains(ada.key().getName());
        assertThatThrownBy(() -> sessions.resolve(bobs.token())).isInstanceOfSatisfying(GatewayException.class,
                e -> assertThat(e.status()).isEqualTo(401));
        assertThatThrownBy(() -> directory.admit(sso(List.of()), person(bob.person().subject(), null, "gw-keymasters"),
                "10.0.0.1")).isInstanceOfSatisfying(SsoRefusal.class, e -> assertThat(e.reason()).isEqualTo("disabled"));

        directory.setDisabled(admin, bob.person().id(), false);
        assertThat(directory.admit(sso(List.of()), person(bob.person().subject(), null, "gw-keymasters"), "10.0.0.1")
                .person().disabled()).isFalse();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("databases")
    void aPersonTheProviderNoLongerLetsInLosesTheirSessions(Supplier<Database> opened) {
        Database database = opened.get();
        PersonDirectory directory = directory(database);
        String subject = "leo-" + System.nanoTime();
        PersonDirectory.Admitted leo = directory.admit(sso(List.of()), person(subject, null, "gw-keymasters"), "10.0.0.1");
        SessionService.Opened session = directory.sessions.openForPerson(leo.key(), leo.person().id(), "10.0.0.1", null,
                null, null);
        assertThat(directory.sessions.resolve(session.token()).role()).isEqualTo(Role.KEYMASTER);

        assertThatThrownBy(() -> directory.admit(sso(List.of()), person(subject, null, "staff"), "10.0.0.1"))
                .isInstanceOfSatisfying(SsoRefusal.class, e -> assertThat(e.reason()).isEqualTo("no_role"));
        assertThatThrownBy(() -> directory.sessions.resolve(session.token())).as("their session ended")
                .isInstanceOfSatisfying(GatewayException.class, e -> assertThat(e.status()).isEqualTo(401));
        assertThat(TestDatabases.audit(database).page(0, null, null, 1000)).extracting(e -> e.detail())
                .anyMatch(d -> d.contains("is no longer let in (no_role): 1 session(s) ended"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("databases")
    void aPersonSigningInOnSeveralNodesAtOnceGetsOneRecordAndOneKey(Supplier<Database> opened) throws Exception {
        Database database = opened.get();
        String subject = "zoe-" + System.nanoTime();
        List<PersonDirectory> nodes = List.of(directory(database), directory(database), directory(database),
                directory(database));
        ExecutorService pool = Executors.newFixedThreadPool(8);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<PersonDirectory.Admitted>> results = new ArrayList<>();
        try {
            for (int i = 0; i < 8; i++) {
                PersonDirectory node = nodes.get(i % nodes.size());
                results.add(pool.submit(() -> {
                    go.await();
                    return node.admit(sso(List.of()), person(subject, null, "gw-admins"), "10.0.0.9");
                }));
            }
            go.countDown();
            for (Future<PersonDirectory.Admitted> result : results) {
                assertThat(result.get().person().subject()).isEqualTo(subject);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(results.stream().map(r -> {
            try {
                return r.get().key().getId();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }).distinct().count()).isEqualTo(1);
        assertThat(directory(database).list().stream().filter(p -> p.subject().equals(subject)).count()).isEqualTo(1);
    }
}
