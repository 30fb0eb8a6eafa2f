package io.tokenrouter.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The quota window rule in Java ({@link QuotaWindow#stale}) and in SQL ({@link QuotaWindow#STALE_SQL}, which rolls
 * rows and sizes allowances) agree on every period, for rows that never started a window, started this one, the
 * one before, or one in the future (a clock behind another node's), on H2 and PostgreSQL with the real schema.
 */
class QuotaWindowTest {

    private static final Instant NOW = Instant.parse("2026-03-02T10:15:30.250Z"); // a Monday, mid-minute

    static Stream<Arguments> databases() {
        return Stream.of(Arguments.of("H2", (Supplier<Database>) TestDatabases::h2),
                Arguments.of("PostgreSQL", (Supplier<Database>) TestDatabases::postgres));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("databases")
    void javaAndSqlTellTheSameWindowsStale(String name, Supplier<Database> open) throws SQLException {
        Database database = open.get();
        try {
            QuotaRepository quotas = TestDatabases.quotas(database);
            List<Instant> starts = new ArrayList<>();
            starts.add(null);
            for (Period period : Period.values()) {
                Instant current = period.windowStart(NOW);
                if (current != null) {
                    starts.add(current);
                    starts.add(current.minusMillis(1));
                    starts.add(current.plusMillis(1));
                    starts.add(period.windowEnd(NOW));
                }
            }
            long owner = 4_000_000L + (System.nanoTime() & 0xffff);
            List<Quota> rows = new ArrayList<>();
            for (Period period : Period.values()) {
                for (int i = 0; i < starts.size(); i++) {
                    rows.add(new Quota(OwnerType.KEY, owner, Metric.TOKENS, period, "model-" + i, 100));
                }
            }
            quotas.replaceForOwner(OwnerType.KEY, owner, rows);
            int checked = 0;
            try (Connection c = database.dataSource().getConnection()) {
                for (Quota row : quotas.findByOwner(OwnerType.KEY, owner)) {
                    Instant start = starts.get(Integer.parseInt(row.getModel().substring("model-".length())));
                    try (PreparedStatement s = c.prepareStatement("update quotas set window_start = ? where id = ?")) {
                        s.setObject(1, start == null ? null : OffsetDateTime.ofInstant(start, ZoneOffset.UTC));
                        s.setLong(2, row.getId());
                        s.executeUpdate();
                    }
                    boolean sql;
                    try (PreparedStatement s = c.prepareStatement("select case when " + QuotaWindow.STALE_SQL
                            + " then 1 else 0 end from quotas where id = ?")) {
                        int i = QuotaSql.windows(s, 1, QuotaRepository.Windows.at(NOW));
                        s.setLong(i, row.getId());
                        try (ResultSet r = s.executeQuery()) {
                            r.next();
                            sql = r.getInt(1) == 1;
                        }
                    }
                    assertThat(sql).as("%s window started %s", row.getPeriod(), start)
                            .isEqualTo(QuotaWindow.stale(row.getPeriod(), start, NOW));
                    checked++;
                }
            }
            assertThat(checked).isEqualTo(rows.size());
        } finally {
            TestDatabases.close(database);
        }
    }
}
