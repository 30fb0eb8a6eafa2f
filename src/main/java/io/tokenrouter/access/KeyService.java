package io.tokenrouter.access;

import io.tokenrouter.store.OwnerType;
import io.tokenrouter.store.Role;
import io.tokenrouter.api.GatewayException;
import io.tokenrouter.quota.QuotaService;
import io.tokenrouter.quota.QuotaSpec;
import io.tokenrouter.store.ApiKey;
import io.tokenrouter.store.ApiKeyRepository;
import io.tokenrouter.store.Database;
import io.tokenrouter.store.Page;
import io.tokenrouter.store.TeamRepository;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Creating, listing, changing, resetting and revoking keys under the role rules: an admin manages every
 * key; a keymaster only keys beneath itself, of role keymaster or inferrer; an inferrer none. A child is
 * never wider than its parent: role, expiry and models are checked against the parent's effective
 * values, and keys nest at most {@link KeyLookup#MAX_DEPTH} deep. Each change runs in one transaction
 * with its quotas and its audit entry.
 */
@ApplicationScoped
public class KeyService {

    @Inject
    ApiKeyRepository keys;
    @Inject
    TeamRepository teams;
    @Inject
    KeyLookup lookup;
    @Inject
    QuotaService quotas;
    @Inject
    Database database;
    @Inject
    AuditTrail audit;

    private final Clock clock = Clock.systemUTC();

    public CreatedKey create(Caller actor, KeyDraft draft) {
        return create(actor, draft, null);
    }

    /**
     * Creates a key beneath {@code parent} (an admin or keymaster key) on behalf of {@code onBehalfOf} (a person
     * signing in on the command line), with the parent rules as if the parent made it; recorded as made by them.
     */
    public CreatedKey createOnBehalf(String onBehalfOf, Caller parent, KeyDraft draft) {
        return create(parent, draft, onBehalfOf);
    }

    private CreatedKey create(Caller actor, KeyDraft draft, String onBehalfOf) {
        Authorization.requireManager(actor);
        Role role = parseRole(draft.role() == null ? "inferrer" : draft.role());
        requireName(draft.name());
        List<QuotaSpec> specs = QuotaSpec.validateAll(draft.quotas());
        if (actor.role() == Role.KEYMASTER && role == Role.ADMIN) {
            throw GatewayException.forbidden("A keymaster cannot create admin keys.");
        }
        return database.inTransaction(em -> {
            Long parentId = parentFor(actor, draft.parentId());
            ApiKey key = new ApiKey();
            key.setName(draft.name().trim());
            key.setRole(role);
            key.setParentId(parentId);
            key.setExpiresAt(expiry(draft));
            key.setAllowedModels(csv(draft.allowedModels()));
            key.setTeamId(draft.teamId());
            key.setTemporary(parentId != null && (draft.ttl() != null || draft.expiresAt() != null));
            if (parentId != null) {
                Caller parent = lookup.caller(keys.find(parentId).orElseThrow());
                if (parent.chain().size() >= KeyLookup.MAX_DEPTH) {
                    throw GatewayException.invalidRequest("parent_id", "Keys nest at most " + KeyLookup.MAX_DEPTH
                            + " deep; key #" + parentId + " is at depth " + parent.chain().size() + " already.");
                }
                fitBeneath(key, parent, draft.teamId());
            } else if (draft.teamId() != null && teams.find(draft.teamId()).isEmpty()) {
                throw GatewayException.invalidRequest("team_id", "No team with id " + draft.teamId() + ".");
            }
            String secret = KeySecrets.generate();
            key.setKeyHash(KeySecrets.hash(secret));
            key.setDisplayPrefix(KeySecrets.displayPrefix(secret));
            key.setCreatedBy(onBehalfOf != null ? onBehalfOf : Authorization.actorName(actor));
            key.setCreatedAt(clock.instant());
            ApiKey stored = keys.store(key);
            if (specs != null) {
                quotas.set(OwnerType.KEY, stored.getId(), specs);
            }
            String created = "Created " + stored.getRole().wireName() + " key '" + stored.getName() + "' #" + stored.getId();
            if (onBehalfOf != null) {
                audit.recordAs(onBehalfOf, created + " beneath '" + actor.keyName() + "' #" + actor.keyId());
            } else {
                audit.record(actor, created);
            }
            return new CreatedKey(secret, view(stored));
        });
    }

    public Page<KeyView> list(Caller actor, int offset, int limit) {
        Authorization.requireManager(actor);
        Page<ApiKey> page = actor.role() == Role.ADMIN ? keys.findAll(offset, limit)
                : keys.findDescendants(actor.keyId(), offset, limit);
        return new Page<>(page.items().stream().map(this::view).toList(), page.total());
    }

    /**
     * The calling key as it sees itself: the key with its quotas, what it may use after its ancestors' limits,
     * and every limit its requests count against (its own, each ancestor's, its team's) with where each stands.
     */
    public MeView me(Caller caller) {
        KeyView key = KeyView.of(keys.find(caller.keyId()).orElseThrow()).withQuotas(quotas.view(OwnerType.KEY, caller.keyId()));
        List<MeView.Limit> limits = new java.util.ArrayList<>();
        for (Long id : caller.chain()) {
            String owner = id.equals(caller.keyId()) ? "key" : "parent_key";
            quotas.view(OwnerType.KEY, id).forEach(q -> limits.add(new MeView.Limit(owner, caller.chainNames().get(id), q)));
        }
        if (caller.teamId() != null) {
            quotas.view(OwnerType.TEAM, caller.teamId()).forEach(q -> limits.add(new MeView.Limit("team", caller.teamName(), q)));
        }
        return new MeView(key, caller.role().wireName(),
                caller.teamId() == null ? null : new MeView.Team(caller.teamId(), caller.teamName()), caller.expiresAt(),
                caller.allowedModels() == null ? null : caller.allowedModels().stream().sorted().toList(), limits);
    }

    public KeyView get(Caller actor, long id) {
        return view(manageable(actor, id));
    }

    /** Changes name, models, expiry, quotas or capture; the same parent rules as at creation apply. */
    public KeyView update(Caller actor, long id, KeyPatch patch) {
        List<QuotaSpec> specs = QuotaSpec.validateAll(patch.quotas());
        KeyView view = database.inTransaction(em -> {
            ApiKey key = notAPerson(manageable(actor, id), "changed");
            if (patch.captureConversations() != null) {
                if (actor.role() != Role.ADMIN) {
                    throw GatewayException.forbidden("Only admins switch conversation capture.");
                }
                key.setCaptureConversations(patch.captureConversations());
            }
            String roleChange = patch.role() == null ? "" : changeRole(actor, key, parseRole(patch.role()));
            if (patch.name() != null) {
                requireName(patch.name());
                key.setName(patch.name().trim());
            }
            if (patch.allowedModels() != null) {
                key.setAllowedModels(csv(patch.allowedModels()));
            }
            if (patch.unmetered() != null) {
                Authorization.requireAdmin(actor);
                key.setUnmeteredAllowed(Unmetered.validate(patch.unmetered()));
            }
            if (patch.expiresAt() != null) {
                key.setExpiresAt(patch.expiresAt());
            }
            if (key.getParentId() != null) {
                fitBeneath(key, lookup.caller(keys.find(key.getParentId()).orElseThrow()), key.getTeamId());
            }
            ApiKey stored = keys.store(key);
            if (specs != null) {
                quotas.set(OwnerType.KEY, id, specs);
            }
            audit.record(actor, "Changed key '" + stored.getName() + "' #" + id + roleChange);
            return view(stored);
        });
        lookup.invalidateAll();
        return view;
    }

    /**
     * A new role: never above what the actor may grant or the parent holds (checked with the parent rules),
     * never below a role a child key holds, and the last usable admin key stays an admin.
     */
    private String changeRole(Caller actor, ApiKey key, Role role) {
        Role old = key.getRole();
        if (role == old) {
            return "";
        }
        if (ApiKeyRepository.PASSWORD_PRINCIPAL_HASH.equals(key.getKeyHash())) {
            throw GatewayException.invalidRequest("role", "The admin password's principal is always an admin.");
        }
        if (actor.role() == Role.KEYMASTER && role == Role.ADMIN) {
            throw GatewayException.forbidden("A keymaster cannot make admin keys.");
        }
        if (old == Role.ADMIN && key.getRevokedAt() == null) {
            requireAnotherAdmin(key, "demote");
        }
        for (ApiKey child : keys.children(key.getId())) {
            if (child.getRevokedAt() == null && !role.includes(child.getRole())) {
                throw GatewayException.invalidRequest("role", "Key '" + child.getName() + "' #" + child.getId()
                        + " beneath it has role " + child.getRole().wireName() + "; change or revoke it first.");
            }
        }
        key.setRole(role);
        return ": role " + old.wireName() + " → " + role.wireName();
    }

    /**
     * Refuses to take away the last usable admin key (the password's principal aside, which nobody holds).
     * The admin keys are locked for the rest of the transaction, so two such changes on two nodes cannot
     * both see "another admin remains" and leave none.
     */
    private void requireAnotherAdmin(ApiKey key, String what) {
        if (key.getRole() != Role.ADMIN || ApiKeyRepository.PASSWORD_PRINCIPAL_HASH.equals(key.getKeyHash())) {
            return;
        }
        keys.lockAdmins();
        if (keys.countUsableAdmins() <= 1) {
            throw GatewayException.conflict("Key '" + key.getName() + "' is the last admin key; create another admin key"
                    + " before you " + what + " it.");
        }
    }

    public KeyView setQuotas(Caller actor, long id, List<QuotaSpec> wanted) {
        List<QuotaSpec> specs = QuotaSpec.validateAll(wanted == null ? List.of() : wanted);
        return database.inTransaction(em -> {
            ApiKey key = manageable(actor, id);
            quotas.set(OwnerType.KEY, id, specs);
            audit.record(actor, "Set the quotas of key '" + key.getName() + "' #" + id);
            return view(key);
        });
    }

    public KeyView reset(Caller actor, long id) {
        return database.inTransaction(em -> {
            ApiKey key = manageable(actor, id);
            quotas.reset(OwnerType.KEY, id);
            audit.record(actor, "Reset the quotas of key '" + key.getName() + "' #" + id);
            return view(key);
        });
    }

    public KeyView revoke(Caller actor, long id) {
        KeyView view = database.inTransaction(em -> {
            ApiKey key = notAPerson(manageable(actor, id), "revoked");
            if (key.getRevokedAt() == null) {
                requireAnotherAdmin(key, "revoke");
                key.setRevokedAt(clock.instant());
                key = keys.store(key);
                audit.record(actor, "Revoked key '" + key.getName() + "' #" + id);
            }
            return view(key);
        });
        lookup.invalidateAll();
        return view;
    }

    private KeyView view(ApiKey key) {
        return KeyView.of(key).withQuotas(quotas.view(OwnerType.KEY, key.getId()));
    }

    /**
     * {@code key}, unless it is a person's principal (single sign-on), whose role and team come from the identity
     * provider: such a key is not {@code what} (changed, revoked) here; the person is disabled instead.
     */
    private static ApiKey notAPerson(ApiKey key, String what) {
        if (key.getKeyHash().startsWith(ApiKeyRepository.PERSON_PRINCIPAL_PREFIX)) {
            throw GatewayException.conflict("Key '" + key.getName() + "' #" + key.getId() + " is the principal of a person"
                    + " who signs in by single sign-on; it is not " + what + " here. Their role comes from their groups at"
                    + " the identity provider; disable the person on the People page (or POST /api/people/{id}/disable).");
        }
        return key;
    }

    /** The key if {@code actor} may manage it: any key for an admin, a key beneath itself for a keymaster. */
    public ApiKey manageable(Caller actor, long id) {
        Authorization.requireManager(actor);
        ApiKey key = keys.find(id).orElseThrow(() -> GatewayException.notFound("No key with id " + id + "."));
        if (actor.role() != Role.ADMIN && !keys.isDescendant(id, actor.keyId())) {
            throw GatewayException.notFound("No key with id " + id + ".");
        }
        return key;
    }

    private Long parentFor(Caller actor, Long requested) {
        if (actor.role() == Role.ADMIN) {
            return requested;
        }
        if (requested == null || requested == actor.keyId()) {
            return actor.keyId();
        }
        manageable(actor, requested);
        return requested;
    }

    private void fitBeneath(ApiKey child, Caller parent, Long requestedTeam) {
        Role role = child.getRole();
        if (!parent.role().includes(role)) {
            throw GatewayException.invalidRequest("role", "A key beneath a " + parent.role().wireName()
                    + " key cannot have role " + role.wireName() + ".");
        }
        if (requestedTeam != null && !requestedTeam.equals(parent.teamId())) {
            throw GatewayException.invalidRequest("team_id", "A key belongs to its parent's team.");
        }
        child.setTeamId(parent.teamId());
        if (parent.expiresAt() != null) {
            if (child.getExpiresAt() == null) {
                child.setExpiresAt(parent.expiresAt());
            } else if (child.getExpiresAt().isAfter(parent.expiresAt())) {
                throw GatewayException.invalidRequest("expires_at", "The key would expire at " + child.getExpiresAt()
                        + ", after its parent (" + parent.expiresAt() + ").");
            }
        }
        if (parent.allowedModels() != null) {
            Set<String> wanted = KeyLookup.models(child.getAllowedModels());
            if (wanted == null) {
                child.setAllowedModels(String.join(",", new TreeSet<>(parent.allowedModels())));
            } else if (!parent.allowedModels().containsAll(wanted)) {
                Set<String> extra = new TreeSet<>(wanted);
                extra.removeAll(parent.allowedModels());
                throw GatewayException.invalidRequest("allowed_models", "The parent key may not use " + extra + ".");
            }
        }
    }

    private Instant expiry(KeyDraft draft) {
        if (draft.ttl() != null && draft.expiresAt() != null) {
            throw GatewayException.invalidRequest("ttl", "Give either ttl or expires_at, not both.");
        }
        if (draft.ttl() != null) {
            if (draft.ttl().isNegative() || draft.ttl().isZero()) {
                throw GatewayException.invalidRequest("ttl", "ttl must be positive.");
            }
            return clock.instant().plus(draft.ttl());
        }
        if (draft.expiresAt() != null && !draft.expiresAt().isAfter(clock.instant())) {
            throw GatewayException.invalidRequest("expires_at", "expires_at must be in the future.");
        }
        return draft.expiresAt();
    }

    private static Role parseRole(String role) {
        try {
            return Role.parse(role);
        } catch (IllegalArgumentException e) {
            throw GatewayException.invalidRequest("role", "role must be admin, keymaster or inferrer, not '" + role + "'.");
        }
    }

    private static void requireName(String name) {
        if (name == null || name.isBlank() || name.length() > 200) {
            throw GatewayException.invalidRequest("name", "name is required (1 to 200 characters).");
        }
    }

    private static String csv(List<String> models) {
        return models == null ? null : String.join(",", models.stream().map(String::trim).filter(m -> !m.isEmpty()).toList());
    }
}
