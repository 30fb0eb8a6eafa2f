package io.tokenrouter.quota;

import java.time.Instant;

/** A limit and where it stands now, for the API and the console. */
public record QuotaView(String metric, String period, long limit, long used, long reserved, long remaining,
                        Instant resetsAt) {
}
