package io.tokenrouter.console;

import io.tokenrouter.store.Period;
import io.tokenrouter.access.Caller;
import io.tokenrouter.access.CreatedKey;
import io.tokenrouter.access.KeyDraft;
import io.tokenrouter.access.KeyPatch;
import io.tokenrouter.access.KeyService;
import io.tokenrouter.access.KeyView;
import io.tokenrouter.store.Role;
import io.tokenrouter.access.TeamService;
import io.tokenrouter.access.TeamView;
import io.tokenrouter.api.GatewayException;
import io.tokenrouter.quota.QuotaView;
import jakarta.faces.view.ViewScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import java.io.Serializable;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.primefaces.model.DefaultTreeNode;
import org.primefaces.model.TreeNode;

/**
 * Access: teams and keys, and the key form (the team form is {@link TeamForm}). Keys are shown as the tree
 * they form (a key's children beneath it); creating a key shows its secret once. Keymasters see and manage
 * only the keys beneath their own. Every change goes through {@link KeyService} and {@link TeamService},
 * which authorize, validate and audit it.
 */
@Named
@ViewScoped
public class AccessView implements Serializable {

    private static final long serialVersionUID = 1L;
    static final int MAX_KEYS = 10_000;

    @Inject
    KeyService keys;
    @Inject
    TeamService teams;

    private String search;
    private boolean showRevoked;
    private transient List<KeyView> keyList;
    private transient List<TeamView> teamList;
    private transient TreeNode<KeyView> tree;

    // the key form (create or edit)
    private Long editingKey;
    private String keyName;
    private String keyRole = "inferrer";
    private Long keyTeam;
    private Long keyParent;
    private String keyTtl;
    private List<String> keyModels = new ArrayList<>();
    private List<QuotaRow> keyQuotas = new ArrayList<>();
    private boolean keyCapture;
    private List<String> keyUnmetered = new ArrayList<>();
    private transient String createdSecret;
    private String createdName;

    private List<KeyView> keyList() {
        if (keyList == null) {
            keyList = Console.listOf(() -> keys.list(Console.caller(), 0, MAX_KEYS).items());
        }
        return keyList;
    }

    public List<TeamView> getTeams() {
        if (teamList == null) {
            teamList = Console.isAdmin() ? Console.listOf(() -> teams.list(Console.caller(), 0, 1000).items()) : List.of();
        }
        return teamList;
    }

    /** Forgets the lists read so far: the next rendering reads them anew, after a change. */
    void reload() {
        keyList = null;
        teamList = null;
        tree = null;
    }

    /** The keys as a tree, narrowed by the search (a match keeps its ancestors, to show where it sits). */
    public TreeNode<KeyView> getTree() {
        if (tree == null) {
            List<KeyView> all = keyList();
            Map<Long, KeyView> byId = new HashMap<>();
            all.forEach(k -> byId.put(k.id(), k));
            Set<Long> shown = new HashSet<>();
            String needle = search == null || search.isBlank() ? null : search.trim().toLowerCase(Locale.ROOT);
            for (KeyView k : all) {
                if ((showRevoked || k.revokedAt() == null) && matches(k, needle)) {
                    for (KeyView at = k; at != null && shown.add(at.id()); at = at.parentId() == null ? null : byId.get(at.parentId())) {
                        // ancestors of a match stay visible
                    }
                }
            }
            TreeNode<KeyView> root = new DefaultTreeNode<>(null, null);
            Map<Long, TreeNode<KeyView>> nodes = new LinkedHashMap<>();
            for (KeyView k : all) {
                if (shown.contains(k.id())) {
                    nodes.put(k.id(), new DefaultTreeNode<>(k));
                }
            }
            for (KeyView k : all) {
                TreeNode<KeyView> node = nodes.get(k.id());
                if (node != null) {
                    TreeNode<KeyView> parent = k.parentId() == null ? null : nodes.get(k.parentId());
                    (parent == null ? root : parent).getChildren().add(node);
                    node.setExpanded(needle != null || k.parentId() == null || parent == null);
                }
            }
            tree = root;
        }
        return tree;
    }

    private static boolean matches(KeyView k, String needle) {
        return needle == null || k.name().toLowerCase(Locale.ROOT).contains(needle)
                || (k.prefix() != null && k.prefix().toLowerCase(Locale.ROOT).contains(needle))
                || k.role().contains(needle) || String.valueOf(k.id()).equals(needle);
    }

    public boolean isNoKeys() {
        return keyList().isEmpty();
    }

    public void applySearch() {
        tree = null;
    }

    // ---- keys

    public void newKey() {
        editingKey = null;
        keyName = null;
        keyRole = "inferrer";
        keyTeam = null;
        keyParent = Console.isAdmin() ? null : Console.caller().keyId();
        keyTtl = null;
        keyModels = new ArrayList<>();
        keyQuotas = new ArrayList<>();
        keyCapture = false;
        keyUnmetered = new ArrayList<>();
    }

    public void newChildKey(KeyView parent) {
        newKey();
        keyParent = parent.id();
        keyTeam = parent.teamId();
        keyTtl = "8h";
    }

    public void editKey(KeyView key) {
        editingKey = key.id();
        keyName = key.name();
        keyRole = key.role();
        keyTeam = key.teamId();
        keyParent = key.parentId();
        keyTtl = null;
        keyModels = key.allowedModels() == null ? new ArrayList<>() : new ArrayList<>(key.allowedModels());
        keyQuotas = QuotaRow.of(key.quotas());
        keyCapture = key.captureConversations();
        keyUnmetered = key.unmetered() == null ? new ArrayList<>() : new ArrayList<>(key.unmetered());
    }

    public void saveKey() {
        Caller caller = Console.caller();
        Duration ttl;
        try {
            ttl = KeyDraft.ttl(keyTtl);
        } catch (GatewayException e) {
            Console.refused(e);
            return;
        }
        List<String> models = keyModels == null || keyModels.isEmpty() ? null : keyModels;
        if (editingKey == null) {
            KeyDraft draft = new KeyDraft(keyName, keyRole, keyTeam, keyParent, ttl, null, models, QuotaRow.specs(keyQuotas));
            CreatedKey created = Console.attempt(() -> keys.create(caller, draft), null);
            if (created != null && Console.isAdmin() && keyUnmetered != null && !keyUnmetered.isEmpty()) {
                KeyPatch allow = new KeyPatch(null, null, null, null, null, null, keyUnmetered);
                Console.attempt(() -> keys.update(caller, created.key().id(), allow), null);
            }
            if (created != null) {
                createdSecret = created.secret();
                createdName = created.key().name();
                reload();
                org.primefaces.PrimeFaces.current().executeScript("PF('keyDialog').hide();PF('secretDialog').show()");
            }
        } else {
            Instant expires = ttl == null ? null : Instant.now().plus(ttl);
            KeyPatch patch = new KeyPatch(keyName, keyModels == null ? List.of() : keyModels, expires,
                    QuotaRow.specs(keyQuotas), Console.isAdmin() ? keyCapture : null, keyRole,
                    Console.isAdmin() ? (keyUnmetered == null ? List.of() : keyUnmetered) : null);
            long id = editingKey;
            if (Console.attempt(() -> keys.update(caller, id, patch), "Saved key '" + keyName + "'.") != null) {
                reload();
                org.primefaces.PrimeFaces.current().executeScript("PF('keyDialog').hide()");
            }
        }
    }

    public void resetKey(KeyView key) {
        if (Console.attempt(() -> keys.reset(Console.caller(), key.id()), "Reset the usage of key '" + key.name() + "'.") != null) {
            reload();
        }
    }

    public void revokeKey(KeyView key) {
        if (Console.attempt(() -> keys.revoke(Console.caller(), key.id()), "Revoked key '" + key.name() + "'.") != null) {
            reload();
        }
    }

    public void forgetSecret() {
        createdSecret = null;
        createdName = null;
    }

    public void addKeyQuota() {
        keyQuotas.add(new QuotaRow());
    }

    public void removeKeyQuota(QuotaRow row) {
        keyQuotas.remove(row);
    }

    /** Roles the signed-in key may grant. */
    public List<String> getRoles() {
        return Console.isAdmin() ? List.of("inferrer", "keymaster", "admin") : List.of("inferrer", "keymaster");
    }

    /** Keys that may be parents in the form (not revoked; not the key being edited). */
    public List<KeyView> getParentChoices() {
        return keyList().stream().filter(k -> k.revokedAt() == null && !"inferrer".equals(k.role())).toList();
    }

    public String teamName(Long id) {
        if (id == null) {
            return "";
        }
        return getTeams().stream().filter(t -> t.id() == id).map(TeamView::name).findFirst().orElse("#" + id);
    }

    /** "active", "expired" or "revoked". */
    public String state(KeyView k) {
        if (k.revokedAt() != null) {
            return "revoked";
        }
        return k.expiresAt() != null && !k.expiresAt().isAfter(Instant.now()) ? "expired" : "active";
    }

    /** A one-line summary of a key's or team's quotas: "tokens 1,200 / 10,000 per month · spend $3.10 / $25.00 per month". */
    public String quotaSummary(List<QuotaView> quotas) {
        if (quotas == null || quotas.isEmpty()) {
            return "no limit";
        }
        List<String> parts = new ArrayList<>();
        for (QuotaView q : quotas) {
            parts.add((q.isCost() ? "spend" : q.metric().wireName()) + (q.model().isEmpty() ? "" : " on " + q.model()) + " "
                    + Console.amount(q, q.taken()) + " / " + Console.amount(q, q.limit())
                    + (q.period() == Period.TOTAL ? "" : " per " + q.period().wireName()));
        }
        return String.join(" · ", parts);
    }

    public String time(Instant t) {
        return Console.time(t);
    }

    public String join(List<String> values) {
        return String.join(", ", values);
    }

    public String relative(Instant t) {
        return Console.relative(t);
    }

    // ---- properties

    public String getSearch() {
        return search;
    }

    public void setSearch(String search) {
        this.search = search;
    }

    public boolean isShowRevoked() {
        return showRevoked;
    }

    public void setShowRevoked(boolean showRevoked) {
        this.showRevoked = showRevoked;
    }

    public boolean isEditingKeyNow() {
        return editingKey != null;
    }

    public String getKeyName() {
        return keyName;
    }

    public void setKeyName(String keyName) {
        this.keyName = keyName;
    }

    public String getKeyRole() {
        return keyRole;
    }

    public void setKeyRole(String keyRole) {
        this.keyRole = keyRole;
    }

    public Long getKeyTeam() {
        return keyTeam;
    }

    public void setKeyTeam(Long keyTeam) {
        this.keyTeam = keyTeam;
    }

    public Long getKeyParent() {
        return keyParent;
    }

    public void setKeyParent(Long keyParent) {
        this.keyParent = keyParent;
    }

    public String getKeyTtl() {
        return keyTtl;
    }

    public void setKeyTtl(String keyTtl) {
        this.keyTtl = keyTtl;
    }

    public List<String> getKeyModels() {
        return keyModels;
    }

    public void setKeyModels(List<String> keyModels) {
        this.keyModels = keyModels;
    }

    /** The costs the gateway cannot meter that an admin may allow, for the forms' choice. */
    public List<String> getUnmeteredNames() {
        return new java.util.TreeSet<>(io.tokenrouter.access.Unmetered.NAMES).stream().toList();
    }

    public List<String> getKeyUnmetered() {
        return keyUnmetered;
    }

    public void setKeyUnmetered(List<String> keyUnmetered) {
        this.keyUnmetered = keyUnmetered;
    }

    public List<QuotaRow> getKeyQuotas() {
        return keyQuotas;
    }

    public boolean isKeyCapture() {
        return keyCapture;
    }

    public void setKeyCapture(boolean keyCapture) {
        this.keyCapture = keyCapture;
    }

    public String getCreatedSecret() {
        return createdSecret;
    }

    public String getCreatedName() {
        return createdName;
    }

    public boolean isAdmin() {
        return Console.caller().role() == Role.ADMIN;
    }
}
