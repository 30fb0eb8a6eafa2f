package io.tokenrouter.access;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.tokenrouter.api.Json;
import io.tokenrouter.store.AuditRepository;
import io.tokenrouter.store.AuditRepository.Entry;
import io.tokenrouter.store.Page;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

/** The audit trail for admins: its entries over a time range, oldest first, and a check of the whole chain. */
@ApplicationScoped
public class AuditService {

    /** Entries read from the database at a time, while exporting or verifying. */
    static final int PAGE = 1000;

    @Inject
    AuditRepository chain;

    /**
     * Checks that {@code actor} may read the trail before anything is sent; then {@link Export#each} hands over
     * every entry from {@code from} (inclusive) to {@code to} (exclusive), a page at a time.
     */
    public Export export(Caller actor, Instant from, Instant to) {
        Authorization.requireAdmin(actor);
        return sink -> {
            long after = 0;
            for (List<Entry> page = chain.page(after, from, to, PAGE); !page.isEmpty();
                 page = chain.page(after, from, to, PAGE)) {
                page.forEach(sink);
                after = page.get(page.size() - 1).seq();
            }
        };
    }

    /** An entry as a line of JSON Lines, newline included: exported and forwarded alike. */
    public static byte[] jsonLine(Entry e) {
        byte[] json = Json.bytes(new Line(e.seq(), e.time().toString(), e.actor(), e.clientIp(), e.action(), e.outcome(),
                e.detail(), e.prevHash(), e.hash()));
        byte[] line = Arrays.copyOf(json, json.length + 1);
        line[json.length] = '\n';
        return line;
    }

    /** One entry on the wire; its hash covers every other field (see {@link AuditRepository}). */
    record Line(long seq, String time, String actor, String ip, String action, String outcome, String detail,
                @JsonProperty("prev_hash") String prevHash, String hash) {
    }

    /** The newest entries first, for the console. */
    public Page<Entry> newest(Caller actor, int offset, int limit) {
        Authorization.requireAdmin(actor);
        return chain.newest(offset, limit);
    }

    public AuditRepository.Verification verify(Caller actor) {
        Authorization.requireAdmin(actor);
        return chain.verify(PAGE);
    }

    /** Entries to be handed over in order. */
    @FunctionalInterface
    public interface Export {
        void each(Consumer<Entry> sink);

        /** Writes every entry to {@code out} as JSON Lines. */
        default void writeTo(OutputStream out) throws IOException {
            try {
                each(e -> {
                    try {
                        out.write(jsonLine(e));
                    } catch (IOException failed) {
                        throw new UncheckedIOException(failed);
                    }
                });
            } catch (UncheckedIOException failed) {
                throw failed.getCause();
            }
        }
    }
}
