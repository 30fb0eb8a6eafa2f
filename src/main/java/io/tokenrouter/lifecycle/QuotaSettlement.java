package io.tokenrouter.lifecycle;

import io.tokenrouter.quota.QuotaGate;
import io.tokenrouter.quota.Reservation;
import io.tokenrouter.store.QuotaRepository.Amounts;
import io.tokenrouter.usage.PriceBook;
import io.tokenrouter.usage.UsageRecord;
import io.tokenrouter.usage.UsageRecorder;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Replaces a request's reservation by what it used: its tokens and its cost at the prices in force (the gate
 * charges each at most what was reserved). A model whose price was removed while the request ran is charged
 * what was reserved, never nothing.
 */
@ApplicationScoped
public class QuotaSettlement {

    @Inject
    QuotaGate quotaGate;
    @Inject
    UsageRecorder recorder;

    void settle(FinishedRequest request) {
        Reservation reservation = request.reservation();
        if (reservation.isEmpty()) {
            return;
        }
        UsageRecord record = request.record();
        PriceBook book = recorder.prices();
        long reservedCost = reservation.amounts().cost();
        long cost = reservedCost == 0 ? 0 : book.find(record.provider(), record.upstreamModel()) == null
                ? reservedCost
                : book.costMicros(record.provider(), record.upstreamModel(), record.usage());
        quotaGate.settle(reservation, request.reachedProvider(), new Amounts(0, record.usage().totalTokens(), cost));
    }
}
