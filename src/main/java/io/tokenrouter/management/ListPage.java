package io.tokenrouter.management;

import io.tokenrouter.api.GatewayException;
import java.util.List;

/** One page of a list: {@code {"data":[…],"total":n,"offset":o,"limit":l}}. */
public record ListPage<T>(List<T> data, long total, int offset, int limit) {

    static final int MAX_LIMIT = 500;

    static int offset(Integer offset) {
        if (offset != null && offset < 0) {
            throw GatewayException.invalidRequest("offset", "offset must be 0 or more.");
        }
        return offset == null ? 0 : offset;
    }

    static int limit(Integer limit) {
        if (limit != null && (limit < 1 || limit > MAX_LIMIT)) {
            throw GatewayException.invalidRequest("limit", "limit must be between 1 and " + MAX_LIMIT + ".");
        }
        return limit == null ? 50 : limit;
    }

    /** A page the store already cut at {@code offset} and {@code limit} (both validated). */
    static <T> ListPage<T> of(io.tokenrouter.store.Page<T> page, int offset, int limit) {
        return new ListPage<>(page.items(), page.total(), offset, limit);
    }

    /** Pages a list that is small enough to hold whole (providers, aliases). */
    static <T> ListPage<T> of(List<T> all, Integer offset, Integer limit) {
        int from = Math.min(offset(offset), all.size());
        int size = limit(limit);
        return new ListPage<>(all.subList(from, Math.min(all.size(), from + size)), all.size(), from, size);
    }
}
