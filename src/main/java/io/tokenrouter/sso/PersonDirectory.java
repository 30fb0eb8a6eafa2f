package io.tokenrouter.sso;

import io.tokenrouter.access.AuditTrail;
import io.tokenrouter.access.Authorization;
import io.tokenrouter.access.Caller;
import io.tokenrouter.access.SessionService;
import io.tokenrouter.api.GatewayException;
import io.tokenrouter.config.GatewaySettings;
import io.tokenrouter.config.SsoSettings;
import io.tokenrouter.store.ApiKey;
import io.tokenrouter.store.ApiKeyRepository;
import io.tokenrouter.store.Database;
import io.tokenrouter.store.PersonRepository;
import io.tokenrouter.store.PersonRepository.Person;
import io.tokenrouter.store.Role;
import io.tokenrouter.store.Team;
import io.tokenrouter.store.TeamRepository;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.List;

/**
 * The people who sign in through single sign-on. A person is admitted at each sign-in by what the identity
 * provider says of them: their groups give their role (none: refused), their email must be in an allowed domain
 * (when domains are configured), their team claim must name a team that exists. Their role and team are taken
 * afresh every time, so a change at the provider applies at the next sign-in. Each person acts through a principal
 * key of their own that has no secret (nobody can present it), so keys they create are theirs, and the audit
 * trail names them. An admin can disable a person: their sessions end on every node and they cannot sign in.
 */
@ApplicationScoped
public class PersonDirectory {

    private static final java.util.logging.Logger LOG = java.util.logging.Logger.getLogger(PersonDirectory.class.getName());

    /** How a person's principal key hash begins; no presented secret ever hashes to it. */
    public static final String PRINCIPAL_PREFIX = ApiKeyRepository.PERSON_PRINCIPAL_PREFIX;

    @Inject
    GatewaySettings settings;
    @Inject
    PersonRepository people;
    @Inject
    ApiKeyRepository keys;
    @Inject
    TeamRepository teams;
    @Inject
    Database database;
    @Inject
    SessionService sessions;
    @Inject
    AuditTrail audit;
    @Inject
    io.tokenrouter.access.KeyLookup lookup;

    /** What time it is (tests move it). */
    Clock clock = Clock.systemUTC();

    /** What the identity provider said of a person at sign-in; {@code groups} null when it said nothing of them. */
    record Claims(String issuer, String subject, String email, Boolean emailVerified, String name,
                  List<String> groups, String team) {

        /** The groups, none when the provider named none. */
        List<String> groupsOrNone() {
            return groups == null ? List.of() : groups;
        }
    }

    /** A person let in, and the principal key they act through. */
    record Admitted(Person person, ApiKey key) {
    }

    /** Lets a person in, or refuses them with why ({@link SsoRefusal}); their record is created or brought up to date. */
    Admitted admit(SsoSettings sso, Claims claims, String clientIp) {
        String who = describe(claims);
        Role role = sso.roleFor(claims.groupsOrNone()).map(Role::parse).orElseThrow(() -> lapsed(claims, new SsoRefusal(
                "no_role", who + " has no role in this gateway: none of their groups " + claims.groupsOrNone()
                + " is an admin or keymaster group")));
        if (!sso.emailDomains().isEmpty()) {
            if (!Boolean.TRUE.equals(claims.emailVerified()) || !sso.emailAllowed(claims.email())) {
                throw lapsed(claims, new SsoRefusal("email_domain", who + " has no verified email address in "
                        + String.join(", ", sso.emailDomains())));
            }
        }
        Long teamId = null;
        if (claims.team() != null && !claims.team().isBlank()) {
            Team team = teams.findByName(claims.team().strip()).orElseThrow(() -> lapsed(claims, new SsoRefusal(
                    "unknown_team", who + " names team '" + claims.team() + "', which this gateway does not have")));
            teamId = team.getId();
        }
        final Long team = teamId;
        try {
            return database.inTransaction(em -> upsert(claims, role, team, clientIp));
        } catch (SsoRefusal refused) {
            throw refused;
        } catch (RuntimeException first) {
            // the same person signing in on two nodes at the same moment: one of them created the record
            if (people.find(claims.issuer(), claims.subject()).isEmpty()) {
                throw first;
            }
            return database.inTransaction(em -> upsert(claims, role, team, clientIp));
        }
    }

    private Admitted upsert(Claims claims, Role role, Long teamId, String clientIp) {
        Instant now = clock.instant();
        String groups = cut(String.join(",", claims.groupsOrNone()), 2000);
        String email = cut(claims.email(), 320);
        String name = cut(claims.name(), 200);
        var existing = people.find(claims.issuer(), claims.subject());
        if (existing.isPresent()) {
            people.lock(existing.get().id());
            Person p = people.find(existing.get().id()).orElseThrow();
            if (p.disabled()) {
                throw new SsoRefusal("disabled", p.displayName() + " #" + p.id() + " is disabled in this gateway"
                        + (p.disabledBy() == null ? "" : " (by " + p.disabledBy() + ")"));
            }
            ApiKey key = keys.find(p.keyId()).orElseThrow(() -> new IllegalStateException(
                    "The principal key of person #" + p.id() + " is missing"));
            Role old = key.getRole();
            Long oldTeam = key.getTeamId();
            key.setRole(role);
            key.setTeamId(teamId);
            key.setName(keyName(email, name, claims.subject()));
            keys.store(key);
            people.signedIn(p.id(), email, name, role, teamId, groups, now, clientIp);
            if (old != role || !java.util.Objects.equals(oldTeam, teamId)) {
                // keys they made keep their own role and team: say which now stand above or outside the person
                long above = keys.children(key.getId()).stream().filter(k -> k.getRevokedAt() == null
                        && (!role.includes(k.getRole()) || (teamId != null && !teamId.equals(k.getTeamId())))).count();
                audit.bySystem("sso", "Person " + key.getName() + " #" + p.id() + " now has role " + role.wireName()
                        + (teamId == null ? "" : " in team #" + teamId) + " (was " + old.wireName()
                        + (oldTeam == null ? "" : " in team #" + oldTeam) + "), from the identity provider's groups"
                        + (above == 0 ? "" : "; " + above + " key(s) beneath them keep a higher role or another team:"
                        + " review them under Access"));
            }
            return new Admitted(people.find(p.id()).orElseThrow(), key);
        }
        ApiKey key = new ApiKey();
        key.setName(keyName(email, name, claims.subject()));
        key.setKeyHash(principalHash(claims.issuer(), claims.subject()));
        key.setDisplayPrefix("(sso)");
        key.setRole(role);
        key.setTeamId(teamId);
        key.setCreatedBy("single sign-on");
        key.setCreatedAt(now);
        key = keys.store(key);
        long id = people.insert(claims.issuer(), claims.subject(), email, name, role, teamId, key.getId(), groups, now,
                clientIp);
        audit.bySystem("sso", "Person " + key.getName() + " #" + id + " signed in for the first time, as "
                + role.wireName() + (teamId == null ? "" : " in team #" + teamId));
        return new Admitted(people.find(id).orElseThrow(), key);
    }

    /**
     * A person the provider no longer lets in here (no role, an address or team not admitted) loses what they had:
     * their sessions end and their {@code toro login} key is revoked. Answers {@code refusal}, to be thrown.
     */
    private SsoRefusal lapsed(Claims claims, SsoRefusal refusal) {
        try {
            endAccess(claims, refusal);
        } catch (RuntimeException e) {
            // the refusal stands; what the person had ends at their next refusal, or when an admin disables them
            LOG.warning("Could not end the access of " + describe(claims) + " after a refusal: " + e);
        }
        return refusal;
    }

    private void endAccess(Claims claims, SsoRefusal refusal) {
        people.find(claims.issuer(), claims.subject()).ifPresent(p -> database.inTransaction(em -> {
            people.lock(p.id());
            Person fresh = people.find(p.id()).orElseThrow();
            int ended = sessions.closeAllOf(fresh.id());
            boolean revoked = revokeCliKey(fresh, "system (sso)");
            if (ended > 0 || revoked) {
                audit.bySystem("sso", "Person " + fresh.displayName() + " #" + fresh.id() + " is no longer let in ("
                        + refusal.reason() + "): " + ended + " session(s) ended"
                        + (revoked ? ", their toro login key revoked" : ""));
            }
            return null;
        }));
    }

    /**
     * Checks, with the person's row locked until the caller's transaction ends, that they may still be let in (not
     * disabled meanwhile); the person as they are now.
     */
    Person stillAdmitted(long id) {
        people.lock(id);
        Person p = people.find(id).orElseThrow();
        if (p.disabled()) {
            throw new SsoRefusal("disabled", p.displayName() + " #" + p.id() + " was disabled in this gateway");
        }
        return p;
    }

    /** Everyone who has signed in, most recent first. */
    public List<Person> list() {
        return people.all(1000);
    }

    /**
     * Disables or enables a person (admins only); disabling ends their sessions (on this node at once, on the others
     * within {@code key_cache_ttl}) and refuses their next sign-ins. Keys they created stay as they are.
     */
    public Person setDisabled(Caller actor, long id, boolean disabled) {
        Authorization.requireAdmin(actor);
        Person person = people.find(id).orElseThrow(() -> GatewayException.notFound("There is no person #" + id + "."));
        if (person.keyId() == actor.keyId() && disabled) {
            throw GatewayException.conflict("You cannot disable yourself.");
        }
        database.inTransaction(em -> {
            people.lock(id);
            Person locked = people.find(id).orElseThrow();
            if (people.setDisabled(id, disabled, Authorization.actorName(actor), clock.instant())) {
                // the key first, then the audit entry: the order every key change takes its locks in
                if (disabled) {
                    sessions.closeAllOf(id);
                    revokeCliKey(locked, Authorization.actorName(actor));
                }
                audit.record(actor, (disabled ? "Disabled" : "Enabled") + " person " + person.displayName() + " #" + id
                        + (disabled ? "; their sessions ended and their toro login key is revoked" : ""));
            }
            return null;
        });
        return people.find(id).orElseThrow();
    }

    /** Revokes the key {@code toro login} last made for the person, if it is still there; whether it did. */
    private boolean revokeCliKey(Person person, String byWhom) {
        return person.cliKeyId() != null && revokeKey(person.cliKeyId(), byWhom,
                "the toro login key of " + person.displayName() + " #" + person.id());
    }

    /**
     * Revokes a {@code toro login} key ({@code what} it is, for the audit trail) by {@code byWhom}, if it is still
     * there; whether it did. Key caches are cleared once the transaction commits.
     */
    boolean revokeKey(long keyId, String byWhom, String what) {
        return keys.find(keyId).filter(k -> k.getRevokedAt() == null).map(k -> {
            k.setRevokedAt(clock.instant());
            keys.store(k);
            audit.recordAs(byWhom, "Revoked key '" + k.getName() + "' #" + k.getId() + ", " + what);
            database.afterCommit(lookup::invalidateAll);
            return true;
        }).orElse(false);
    }

    /** The principal key hash of the person {@code subject} at {@code issuer}. */
    static String principalHash(String issuer, String subject) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest((issuer + "\n" + subject)
                    .getBytes(StandardCharsets.UTF_8));
            return PRINCIPAL_PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String keyName(String email, String name, String subject) {
        String n = email != null && !email.isBlank() ? email : name != null && !name.isBlank() ? name : subject;
        return cut(n, 200);
    }

    static String describe(Claims claims) {
        String n = claims.email() != null ? claims.email() : claims.name() != null ? claims.name() : claims.subject();
        return "'" + cut(n, 200) + "'";
    }

    static String cut(String text, int max) {
        return text == null || text.length() <= max ? text : text.substring(0, max);
    }
}
