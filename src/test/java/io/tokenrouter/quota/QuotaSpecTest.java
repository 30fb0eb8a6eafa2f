package io.tokenrouter.quota;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tokenrouter.api.GatewayException;
import io.tokenrouter.store.OwnerType;
import java.math.BigDecimal;
import org.junit.jupiter.api.Test;

/** A limit's outage credit: in the limit's unit, never more than the limit, stored with the row. */
class QuotaSpecTest {

    @Test
    void anOutageCreditIsStoredInTheLimitsUnit() {
        QuotaSpec cost = new QuotaSpec("cost", "month", new BigDecimal("25.50"), null, new BigDecimal("1.25")).validated("q");
        assertThat(cost.toQuota(OwnerType.TEAM, 7).getOutageCredit()).as("millionths of a dollar").isEqualTo(1_250_000);
        QuotaSpec requests = new QuotaSpec("requests", "day", new BigDecimal(100), "", new BigDecimal(10)).validated("q");
        assertThat(requests.toQuota(OwnerType.KEY, 7).getOutageCredit()).isEqualTo(10);
        assertThat(new QuotaSpec("tokens", "day", 100L).validated("q").toQuota(OwnerType.KEY, 7).getOutageCredit())
                .as("none unless asked for").isZero();
    }

    @Test
    void anOutageCreditBeyondTheLimitOrNotAnAmountIsRefusedNamingTheField() {
        assertThatThrownBy(() -> new QuotaSpec("requests", "day", new BigDecimal(100), "", new BigDecimal(101)).validated("quotas[0]"))
                .isInstanceOfSatisfying(GatewayException.class, e -> {
                    assertThat(e.status()).isEqualTo(400);
                    assertThat(e.getMessage()).contains("outage_credit must not be more than the limit");
                });
        assertThatThrownBy(() -> new QuotaSpec("tokens", "day", new BigDecimal(100), "", new BigDecimal("1.5")).validated("quotas[0]"))
                .isInstanceOfSatisfying(GatewayException.class, e -> assertThat(e.getMessage())
                        .contains("outage_credit must be a whole number"));
        assertThatThrownBy(() -> new QuotaSpec("cost", "day", new BigDecimal(100), "", new BigDecimal("-1")).validated("quotas[0]"))
                .isInstanceOfSatisfying(GatewayException.class, e -> assertThat(e.getMessage())
                        .contains("outage_credit must be an amount of US dollars"));
    }
}
