package io.tokenrouter.console;

import io.tokenrouter.quota.QuotaSpec;
import io.tokenrouter.quota.QuotaView;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/** One quota being edited in a form: metric, period and limit. */
public class QuotaRow implements Serializable {

    private static final long serialVersionUID = 1L;

    private String metric = "tokens";
    private String period = "month";
    private Long limit;

    public QuotaRow() {
    }

    QuotaRow(String metric, String period, Long limit) {
        this.metric = metric;
        this.period = period;
        this.limit = limit;
    }

    static List<QuotaRow> of(Object quotas) {
        List<QuotaRow> rows = new ArrayList<>();
        if (quotas instanceof List<?> list) {
            for (Object o : list) {
                if (o instanceof QuotaView q) {
                    rows.add(new QuotaRow(q.metric(), q.period(), q.limit()));
                }
            }
        }
        return rows;
    }

    static List<QuotaSpec> specs(List<QuotaRow> rows) {
        return rows.stream().map(r -> new QuotaSpec(r.metric, r.period, r.limit)).toList();
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

    public Long getLimit() {
        return limit;
    }

    public void setLimit(Long limit) {
        this.limit = limit;
    }
}
