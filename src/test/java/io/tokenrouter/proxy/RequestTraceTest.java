package io.tokenrouter.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.tokenrouter.store.LogFilter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import org.junit.jupiter.api.Test;

class RequestTraceTest {

    @Test
    void requestIdsAreWellFormedUniqueAndGrowWithTime() throws Exception {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            ids.add(RequestTrace.newRequestId());
        }
        Thread.sleep(2);
        String later = RequestTrace.newRequestId();

        assertThat(ids).allSatisfy(id -> {
            assertThat(id).hasSize(27);
            assertThat(LogFilter.REQUEST_ID.matcher(id).matches()).as(id).isTrue();
        });
        assertThat(new HashSet<>(ids)).hasSize(ids.size());
        assertThat(later.substring(0, 15)).as("the time part of a later id sorts after every earlier one")
                .isGreaterThan(ids.stream().map(id -> id.substring(0, 15)).max(String::compareTo).orElseThrow());
        long millis = Long.parseLong(later.substring(4, 15), 16);
        assertThat(millis).isBetween(System.currentTimeMillis() - 60_000, System.currentTimeMillis());
    }
}
