package io.tokenrouter.console;

import io.tokenrouter.quota.QuotaSpec;
import io.tokenrouter.quota.QuotaView;
import java.io.Serializable;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;

/** One quota being edited in a form: metric, period, limit (a count, or US dollars for cost) and model ("" for all). */
public class QuotaRow implements Serializable {

    private static final long serialVersionUID = 1L;

    private String metric = "tokens";
    private String period = "month";
    private BigDecimal limit;
    private String model = "";

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
                rows.add(new QuotaRow(q.metric().wireName(), q.period().wireName(), new BigDecimal(q.limit().toString()),
                        q.model()));
            }
        }
        return rows;
    }

    static List<QuotaSpec> specs(List<QuotaRow> rows) {
        return rows.stream().map(r -> new QuotaSpec(r.metric, r.period, r.limit, r.model)).toList();
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

    public String getModel() {
        return model;
    }

    public void setModel(String model) {
        this.model = model == null ? "" : model.trim();
    }
}
