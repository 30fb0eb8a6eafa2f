package io.tokenrouter.console;

import io.tokenrouter.access.KeyService;
import io.tokenrouter.access.KeyView;
import io.tokenrouter.access.TeamService;
import io.tokenrouter.access.TeamView;
import io.tokenrouter.access.AuditService;
import io.tokenrouter.observe.StatusService;
import io.tokenrouter.store.AuditRepository;
import io.tokenrouter.observe.TrafficService;
import io.tokenrouter.store.EventRepository;
import io.tokenrouter.store.LogFilter;
import io.tokenrouter.observe.LogEntry;
import io.tokenrouter.store.Outcome;
import io.tokenrouter.store.Page;
import jakarta.faces.view.ViewScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import java.io.Serializable;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.primefaces.model.FilterMeta;
import org.primefaces.model.LazyDataModel;
import org.primefaces.model.SortMeta;

/**
 * Log: the request log (every request, refusals included) and the operational log, each paged on the
 * server. Filters go to the database; counting stops at {@value #COUNT_LIMIT} rows, so a page costs the
 * same with millions of rows. Keymasters see their own keys' requests only, and no operational log.
 */
@Named
@ViewScoped
public class LogView implements Serializable {

    private static final long serialVersionUID = 1L;
    static final long COUNT_LIMIT = 10_000;
    static final int TEXT_SEARCH_HOURS = 24;

    @Inject
    StatusService statusService;
    @Inject
    TrafficService trafficService;
    @Inject
    KeyService keys;
    @Inject
    TeamService teams;
    @Inject
    AuditService audit;

    private LocalDateTime from;
    private LocalDateTime to;
    private Long keyId;
    private Long teamId;
    private String provider;
    private String model;
    private String status;
    private String text;
    private String eventLevel;
    private String eventText;
    private long lastCount;
    private AuditRepository.Verification verification;

    private final LazyDataModel<LogEntry> requests = new LazyDataModel<>() {
        private static final long serialVersionUID = 1L;

        @Override
        public int count(Map<String, FilterMeta> filterBy) {
            Page<LogEntry> page = Console.attempt(() -> trafficService.log(Console.caller(), filter(), 0, 1, COUNT_LIMIT), null);
            lastCount = page == null ? 0 : page.total();
            return (int) lastCount;
        }

        @Override
        public List<LogEntry> load(int first, int pageSize, Map<String, SortMeta> sortBy, Map<String, FilterMeta> filterBy) {
            Page<LogEntry> page = Console.attempt(() -> trafficService.log(Console.caller(), filter(), first, pageSize, COUNT_LIMIT), null);
            if (page == null) {
                setRowCount(0);
                return List.of();
            }
            lastCount = page.total();
            setRowCount((int) page.total());
            return page.items();
        }

        @Override
        public String getRowKey(LogEntry row) {
            return row.requestId();
        }
    };

    private final LazyDataModel<EventRepository.Event> events = new AdminPages<>() {
        private static final long serialVersionUID = 1L;

        @Override
        Page<EventRepository.Event> page(int first, int size) {
            return statusService.events(Console.caller(), Console.text(eventLevel), null, Console.text(eventText), first, size);
        }

        @Override
        public String getRowKey(EventRepository.Event row) {
            return String.valueOf(row.id());
        }
    };

    private final LazyDataModel<AuditRepository.Entry> auditEntries = new AdminPages<>() {
        private static final long serialVersionUID = 1L;

        @Override
        Page<AuditRepository.Entry> page(int first, int size) {
            return audit.newest(Console.caller(), first, size);
        }

        @Override
        public String getRowKey(AuditRepository.Entry row) {
            return String.valueOf(row.seq());
        }
    };

    /** A table only admins see (empty for anyone else), read a page at a time. */
    private abstract static class AdminPages<T> extends LazyDataModel<T> {
        private static final long serialVersionUID = 1L;

        abstract Page<T> page(int first, int size);

        @Override
        public int count(Map<String, FilterMeta> filterBy) {
            Page<T> page = Console.isAdmin() ? Console.attempt(() -> page(0, 1), null) : null;
            return page == null ? 0 : (int) Math.min(Integer.MAX_VALUE, page.total());
        }

        @Override
        public List<T> load(int first, int pageSize, Map<String, SortMeta> sortBy, Map<String, FilterMeta> filterBy) {
            Page<T> page = Console.isAdmin() ? Console.attempt(() -> page(first, pageSize), null) : null;
            if (page == null) {
                setRowCount(0);
                return List.of();
            }
            setRowCount((int) Math.min(Integer.MAX_VALUE, page.total()));
            return page.items();
        }
    }

    /** Walks the whole audit chain and keeps what it found for {@link #getAuditVerdict}. */
    public void verifyAudit() {
        verification = Console.attempt(() -> audit.verify(Console.caller()), null);
    }

    /** What the last check of the chain found, in a sentence; null before the first. */
    public String getAuditVerdict() {
        if (verification == null) {
            return null;
        }
        if (!verification.ok()) {
            return "The chain is broken at entry " + verification.brokenAt() + ": " + verification.problem() + ".";
        }
        return verification.entries() == 0 ? "The chain holds: no entries yet."
                : "The chain holds: " + Console.number(verification.entries())
                        + (verification.entries() == 1 ? " entry" : " entries") + ", " + verification.firstSeq()
                        + " to " + verification.lastSeq() + "; the newest hash is " + verification.head().hash() + ".";
    }

    public boolean isAuditBroken() {
        return verification != null && !verification.ok();
    }

    public LazyDataModel<AuditRepository.Entry> getAuditEntries() {
        return auditEntries;
    }

    private LogFilter filter() {
        return new LogFilter(searchFrom(), instant(to), keyId, null, teamId, Console.text(provider), Console.text(model),
                Console.text(status), null, Console.text(text));
    }

    /**
     * Where the search starts: the chosen time, or for a text search without one the last
     * {@value #TEXT_SEARCH_HOURS} hours (matching text reads every row in the range; a request id is looked
     * up directly, over the whole log).
     */
    private Instant searchFrom() {
        if (from != null || Console.text(text) == null || LogFilter.REQUEST_ID.matcher(text.trim()).matches()) {
            return instant(from);
        }
        return Instant.now().minus(java.time.Duration.ofHours(TEXT_SEARCH_HOURS));
    }

    public boolean isTextSearchWindowed() {
        return from == null && Console.text(text) != null && !LogFilter.REQUEST_ID.matcher(text.trim()).matches();
    }

    public LazyDataModel<LogEntry> getRequests() {
        return requests;
    }

    public LazyDataModel<EventRepository.Event> getEvents() {
        return events;
    }

    public String getCountText() {
        String count = lastCount >= COUNT_LIMIT ? "more than " + Console.number(COUNT_LIMIT - 1) + " requests — narrow the filters to see older ones"
                : Console.count(lastCount, "request");
        return isTextSearchWindowed() ? count + " · text searched in the last " + TEXT_SEARCH_HOURS + " hours (set From to search further back)" : count;
    }

    public void clear() {
        from = null;
        to = null;
        keyId = null;
        teamId = null;
        provider = null;
        model = null;
        status = null;
        text = null;
    }

    public List<KeyView> getKeyChoices() {
        return Console.listOf(() -> keys.list(Console.caller(), 0, AccessView.MAX_KEYS).items());
    }

    public List<TeamView> getTeamChoices() {
        if (!Console.isAdmin()) {
            return List.of();
        }
        return Console.listOf(() -> teams.list(Console.caller(), 0, 1000).items());
    }

    public List<String> getStatuses() {
        return List.of("ok", "error", "refused", "failed");
    }

    public String time(Instant t) {
        return Console.time(t);
    }

    public String tokens(LogEntry row) {
        return Console.number(row.promptTokens()) + " → " + Console.number(row.completionTokens()) + (row.estimated() ? " (est.)" : "");
    }

    public String cost(LogEntry row) {
        return row.costMicros() == 0 ? "—" : String.format(Locale.ROOT, "$%.5f", row.costMicros() / 1_000_000.0);
    }

    /** ok, warn or bad: the colour of an outcome's badge. */
    public String tone(LogEntry row) {
        if (row.status() < 400) {
            return "ok";
        }
        return row.outcome() == Outcome.REFUSED ? "warn" : "bad";
    }

    private static Instant instant(LocalDateTime t) {
        return t == null ? null : t.toInstant(ZoneOffset.UTC);
    }


    public LocalDateTime getFrom() {
        return from;
    }

    public void setFrom(LocalDateTime from) {
        this.from = from;
    }

    public LocalDateTime getTo() {
        return to;
    }

    public void setTo(LocalDateTime to) {
        this.to = to;
    }

    public Long getKeyId() {
        return keyId;
    }

    public void setKeyId(Long keyId) {
        this.keyId = keyId;
    }

    public Long getTeamId() {
        return teamId;
    }

    public void setTeamId(Long teamId) {
        this.teamId = teamId;
    }

    public String getProvider() {
        return provider;
    }

    public void setProvider(String provider) {
        this.provider = provider;
    }

    public String getModel() {
        return model;
    }

    public void setModel(String model) {
        this.model = model;
    }

    public String getStatus() {
        return status;
    }

    public void setStatus(String status) {
        this.status = status;
    }

    public String getText() {
        return text;
    }

    public void setText(String text) {
        this.text = text;
    }

    public String getEventLevel() {
        return eventLevel;
    }

    public void setEventLevel(String eventLevel) {
        this.eventLevel = eventLevel;
    }

    public String getEventText() {
        return eventText;
    }

    public void setEventText(String eventText) {
        this.eventText = eventText;
    }
}
