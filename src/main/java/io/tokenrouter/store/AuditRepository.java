package io.tokenrouter.store;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * The audit trail: a chain of entries in {@code audit_log}, each carrying the hash of the entry before it, with
 * the newest entry's number and hash in {@code audit_head}. An entry is appended in the transaction of what it
 * records, under the head's row lock, so entries are numbered without gaps in the order they commit on every node.
 *
 * <p>An entry's hash is the SHA-256, in lower-case hex, of its fields in this order: the previous entry's hash,
 * its number, its time (ISO-8601, as exported), actor, client address, action, outcome and detail, each written
 * as its length in UTF-8 bytes, a colon, its bytes and a line feed ({@code 3:abc\n}); an absent actor or address
 * is empty. The first entry follows {@link #ZERO_HASH}. So an edited entry no longer matches its hash, a removed
 * one breaks the numbering, and entries cut from the end no longer reach the head.
 */
@ApplicationScoped
public class AuditRepository {

    /** What the first entry follows. */
    public static final String ZERO_HASH = "0".repeat(64);
    private static final HexFormat HEX = HexFormat.of();

    /** One entry as stored and exported. */
    public record Entry(long seq, Instant time, String actor, String clientIp, String action, String outcome,
                        String detail, String prevHash, String hash) {

        /** The hash these fields should have (see the class comment). */
        public String expectedHash() {
            return AuditRepository.hash(prevHash, seq, time, actor, clientIp, action, outcome, detail);
        }
    }

    /** The newest entry's number and hash (0 and {@link #ZERO_HASH} before the first). */
    public record Head(long seq, String hash) implements java.io.Serializable {
    }

    /**
     * What a walk of the whole chain found: how many entries, the first and last numbers, the head, and where the
     * chain first breaks ({@code brokenAt}, with what is wrong there), if it does.
     */
    public record Verification(boolean ok, long entries, Long firstSeq, Long lastSeq, Head head, Long brokenAt,
                               String problem) implements java.io.Serializable {
    }

    @Inject
    Database database;

    /**
     * Appends an entry in the caller's transaction (or one of its own): it commits with what it records, or not at
     * all. Texts are cut to their columns and cleaned of what a database would not store as given, before hashing.
     */
    public Entry append(Instant at, String actor, String clientIp, String action, String outcome, String detail) {
        return database.inTransaction(em -> {
            Object[] head = (Object[]) em.createNativeQuery(
                    "select seq, hash, created_at from audit_head where id = 1 for update").getSingleResult();
            long seq = ((Number) head[0]).longValue() + 1;
            String prev = (String) head[1];
            Instant before = EventRepository.toInstant(head[2]);
            Instant time = at.truncatedTo(ChronoUnit.MILLIS);
            if (time.isBefore(before)) {
                time = before;
            }
            String who = clean(actor, 200);
            String from = clean(clientIp, 64);
            String what = clean(detail, 2000);
            String hash = hash(prev, seq, time, who, from, action, outcome, what);
            em.createNativeQuery("insert into audit_log (seq, created_at, actor, client_ip, action, outcome, detail,"
                            + " prev_hash, hash) values (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)")
                    .setParameter(1, seq).setParameter(2, time).setParameter(3, who).setParameter(4, from)
                    .setParameter(5, action).setParameter(6, outcome).setParameter(7, what).setParameter(8, prev)
                    .setParameter(9, hash).executeUpdate();
            em.createNativeQuery("update audit_head set seq = ?1, hash = ?2, created_at = ?3 where id = 1")
                    .setParameter(1, seq).setParameter(2, hash).setParameter(3, time).executeUpdate();
            return new Entry(seq, time, who, from, action, outcome, what, prev, hash);
        });
    }

    public Head head() {
        return database.inTransaction(em -> {
            Object[] row = (Object[]) em.createNativeQuery("select seq, hash from audit_head where id = 1")
                    .getSingleResult();
            return new Head(((Number) row[0]).longValue(), (String) row[1]);
        });
    }

    /** The newest entries first, {@code limit} from {@code offset}, and how many there are. */
    public Page<Entry> newest(int offset, int limit) {
        return database.inTransaction(em -> {
            List<Entry> entries = new ArrayList<>();
            for (Object row : em.createNativeQuery("select seq, created_at, actor, client_ip, action, outcome, detail,"
                    + " prev_hash, hash from audit_log order by seq desc offset " + Math.max(0, offset)
                    + " rows fetch next " + Math.max(1, limit) + " rows only").getResultList()) {
                entries.add(entry((Object[]) row));
            }
            long count = ((Number) em.createNativeQuery("select count(*) from audit_log").getSingleResult()).longValue();
            return new Page<>(entries, count);
        });
    }

    /** The number of the last entry the forwarder delivered (0: none). */
    public long forwarded() {
        return database.inTransaction(em -> ((Number) em.createNativeQuery(
                "select seq from audit_forwarded where id = 1").getSingleResult()).longValue());
    }

    /** Moves the forwarder's mark from {@code from} to {@code to}; false when it no longer stood at {@code from}. */
    public boolean markForwarded(long from, long to) {
        return database.inTransaction(em -> em.createNativeQuery(
                        "update audit_forwarded set seq = ?1 where id = 1 and seq = ?2")
                .setParameter(1, to).setParameter(2, from).executeUpdate() == 1);
    }

    /**
     * Up to {@code limit} entries numbered after {@code afterSeq}, oldest first, of those from {@code from} (inclusive)
     * to {@code to} (exclusive); either may be null.
     */
    public List<Entry> page(long afterSeq, Instant from, Instant to, int limit) {
        return page(afterSeq, Long.MAX_VALUE, from, to, limit);
    }

    private List<Entry> page(long afterSeq, long throughSeq, Instant from, Instant to, int limit) {
        return database.inTransaction(em -> {
            List<Object> params = new ArrayList<>(List.of(afterSeq, throughSeq));
            StringBuilder sql = new StringBuilder("select seq, created_at, actor, client_ip, action, outcome, detail,"
                    + " prev_hash, hash from audit_log where seq > ?1 and seq <= ?2");
            if (from != null) {
                params.add(from);
                sql.append(" and created_at >= ?").append(params.size());
            }
            if (to != null) {
                params.add(to);
                sql.append(" and created_at < ?").append(params.size());
            }
            var query = em.createNativeQuery(sql.append(" order by seq fetch first ").append(limit)
                    .append(" rows only").toString());
            for (int i = 0; i < params.size(); i++) {
                query.setParameter(i + 1, params.get(i));
            }
            List<Entry> entries = new ArrayList<>();
            for (Object row : query.getResultList()) {
                entries.add(entry((Object[]) row));
            }
            return entries;
        });
    }

    private static Entry entry(Object[] r) {
        return new Entry(((Number) r[0]).longValue(), EventRepository.toInstant(r[1]), (String) r[2], (String) r[3],
                (String) r[4], (String) r[5], (String) r[6], (String) r[7], (String) r[8]);
    }

    /**
     * Walks the whole chain from its first entry, {@code pageSize} entries per read: each must be numbered one
     * after the last, follow its hash and match its own, and the last must be the head.
     */
    public Verification verify(int pageSize) {
        // entries written while the walk goes on come after the head it read: they are left for the next walk
        Head head = head();
        long entries = 0;
        Long first = null;
        long lastSeq = 0;
        String lastHash = ZERO_HASH;
        for (List<Entry> page = page(0, head.seq(), null, null, pageSize); !page.isEmpty();
             page = page(lastSeq, head.seq(), null, null, pageSize)) {
            for (Entry e : page) {
                String problem = e.seq() != lastSeq + 1 ? missing(lastSeq + 1, e.seq() - 1)
                        : !e.prevHash().equals(lastHash) ? "entry " + e.seq() + " does not follow entry " + lastSeq
                        : !e.hash().equals(e.expectedHash()) ? "entry " + e.seq() + " was changed after it was written"
                        : null;
                if (problem != null) {
                    return new Verification(false, entries, first, lastSeq == 0 ? null : lastSeq, head, e.seq(), problem);
                }
                if (first == null) {
                    first = e.seq();
                }
                entries++;
                lastSeq = e.seq();
                lastHash = e.hash();
            }
        }
        Long last = lastSeq == 0 ? null : lastSeq;
        if (head.seq() != lastSeq || !head.hash().equals(lastHash)) {
            String problem = head.seq() > lastSeq ? missing(lastSeq + 1, head.seq()) + " from the end"
                    : "entry " + lastSeq + " is not the one the head names";
            return new Verification(false, entries, first, last, head, lastSeq + 1, problem);
        }
        return new Verification(true, entries, first, last, head, null, null);
    }

    private static String missing(long first, long last) {
        return first == last ? "entry " + first + " is missing" : "entries " + first + " to " + last + " are missing";
    }

    /** See the class comment. */
    public static String hash(String prevHash, long seq, Instant time, String actor, String clientIp, String action,
                              String outcome, String detail) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            for (String field : new String[] {prevHash, Long.toString(seq), time.toString(), actor, clientIp, action,
                    outcome, detail}) {
                byte[] bytes = (field == null ? "" : field).getBytes(StandardCharsets.UTF_8);
                digest.update((bytes.length + ":").getBytes(StandardCharsets.US_ASCII));
                digest.update(bytes);
                digest.update((byte) '\n');
            }
            return HEX.formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this Java runtime", e);
        }
    }

    /**
     * The text as both databases store and return it: what UTF-8 cannot encode (a lone surrogate) and NUL (which
     * PostgreSQL refuses) become {@code ?}, cut to {@code max} characters without splitting a pair.
     */
    static String clean(String text, int max) {
        if (text == null) {
            return null;
        }
        String clean = new String(text.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8).replace('\0', '?');
        if (clean.length() <= max) {
            return clean;
        }
        int end = Character.isHighSurrogate(clean.charAt(max - 1)) ? max - 1 : max;
        return clean.substring(0, end);
    }
}
