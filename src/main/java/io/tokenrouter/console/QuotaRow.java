package io.tokenrouter.console;

import io.tokenrouter.quota.QuotaSpec;
import io.tokenrouter.quota.QuotaView;
import java.io.Serializable;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;

/**
 * One quota being edited in a form: metric, period, limit (a count, or US dollars for cost), model ("" for all)
 * and outage credit (in the limit's unit; empty for none).
 */
public class QuotaRow implements Serializable {

    private static final long serialVersionUID = 1L;

    private String metric = "tokens";
    private String period = "month";
    private BigDecimal limit;
    private String model = "";
    /** What each node may overspend the limit while the database is unreachable; null: nothing. */
    private BigDecimal outageCredit;

    public QuotaRow() {
    }

    QuotaRow(String metric, String period, BigDecimal limit, String model) {
        this.metric = metric;
        this.period = period;
        this.limit = limit;
        this.model = model;
    }

    static List<QuotaRow> of(List<QuotaView> quotas) {
        List<QuotaRow> rows = new ArrayList<>();
        if (quotas != null) {
            for (QuotaView q : quotas) {
                QuotaRow row = new QuotaRow(q.metric().wireName(), q.period().wireName(), new BigDecimal(q.limit().toString()),
                        q.model());
                BigDecimal credit = q.outageCredit() == null ? BigDecimal.ZERO : new BigDecimal(q.outageCredit().toString());
                row.outageCredit = credit.signum() == 0 ? null : credit;
                rows.add(row);
            }
        }
        return rows;
    }

    static List<QuotaSpec> specs(List<QuotaRow> rows) {
        return rows.stream().map(r -> new QuotaSpec(r.metric, r.period, r.limit, r.model, r.outageCredit)).toList();
    }

    public String getMetric() {
        return metric;
    }

    public void setMetric(String metric) {
        this.metric = metric;
    }

    public String getPeriod() {
        return period;
    }

    public void setPeriod(String period) {
        this.period = period;
    }

    public BigDecimal getLimit() {
        return limit;
    }

    public void setLimit(BigDecimal limit) {
        this.limit = limit;
    }

    public BigDecimal getOutageCredit() {
        return outageCredit;
    }

    public void setOutageCredit(BigDecimal outageCredit) {
        this.outageCredit = outageCredit;
    }

    public String getModel() {
        return model;
    }

    public void setModel(String model) {
        this.model = model == null ? "" : model.trim();
    }
}
