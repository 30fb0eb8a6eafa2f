package io.tokenrouter.console;

import io.tokenrouter.observe.ConversationService;
import io.tokenrouter.routing.RoutingService;
import io.tokenrouter.routing.RoutingSettings;
import io.tokenrouter.store.ConversationRepository.ThreadSummary;
import io.tokenrouter.store.ConversationRepository.Turn;
import io.tokenrouter.store.Page;
import jakarta.faces.view.ViewScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import java.io.Serializable;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.primefaces.model.FilterMeta;
import org.primefaces.model.LazyDataModel;
import org.primefaces.model.SortMeta;

/** Conversations: captured threads, searchable and paged on the server; one thread rendered readably. */
@Named
@ViewScoped
public class ConversationsView implements Serializable {

    private static final long serialVersionUID = 1L;

    @Inject
    ConversationService conversationService;
    @Inject
    RoutingService routing;

    private String search;
    private String selected;
    private transient List<ThreadView.TurnView> turns;

    private final LazyDataModel<ThreadSummary> threads = new LazyDataModel<>() {
        private static final long serialVersionUID = 1L;

        @Override
        public int count(Map<String, FilterMeta> filterBy) {
            Page<ThreadSummary> page = Console.attempt(() -> conversationService.conversations(Console.caller(), Console.text(search), null, 0, 1), null);
            return page == null ? 0 : (int) Math.min(Integer.MAX_VALUE, page.total());
        }

        @Override
        public List<ThreadSummary> load(int first, int pageSize, Map<String, SortMeta> sortBy, Map<String, FilterMeta> filterBy) {
            Page<ThreadSummary> page = Console.attempt(() -> conversationService.conversations(Console.caller(), Console.text(search), null,
                    first, pageSize), null);
            if (page == null) {
                return List.of();
            }
            setRowCount((int) Math.min(Integer.MAX_VALUE, page.total()));
            return page.items();
        }

        @Override
        public String getRowKey(ThreadSummary row) {
            return row.threadId();
        }
    };

    public LazyDataModel<ThreadSummary> getThreads() {
        return threads;
    }

    public void open(String thread) {
        selected = thread;
        turns = null;
    }

    public List<ThreadView.TurnView> getTurns() {
        if (turns == null && selected != null) {
            List<Turn> found = Console.attempt(() -> conversationService.conversation(Console.caller(), selected), null);
            turns = found == null ? List.of() : ThreadView.of(found);
        }
        return turns == null ? List.of() : turns;
    }

    public void deleteSelected() {
        String thread = selected;
        Integer deleted = Console.attempt(() -> conversationService.deleteConversation(Console.caller(), thread), null);
        if (deleted != null) {
            Console.info("Deleted the thread (" + Console.count(deleted, "turn") + ").");
            selected = null;
            turns = null;
        }
    }

    public void deleteAll() {
        Integer deleted = Console.attempt(() -> conversationService.deleteAllConversations(Console.caller()), null);
        if (deleted != null) {
            Console.info("Deleted all captured conversations (" + Console.count(deleted, "turn") + ").");
            selected = null;
            turns = null;
        }
    }

    public boolean isCaptureOn() {
        RoutingSettings s = Console.attempt(() -> routing.settings(Console.caller()), null);
        return s != null && Boolean.TRUE.equals(s.conversationsEnabled());
    }

    public String time(Instant t) {
        return Console.time(t);
    }


    public String getSearch() {
        return search;
    }

    public void setSearch(String search) {
        this.search = search;
    }

    public String getSelected() {
        return selected;
    }

    /** "1 turn", "3 turns". */
    public String turnsOf(long n) {
        return Console.count(n, "turn");
    }
}
