package db.migration;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.flywaydb.core.api.migration.BaseJavaMigration;
import org.flywaydb.core.api.migration.Context;

/**
 * Limits per model: quotas get a {@code model} column ("" for every model), and the unique owner, metric
 * and period of a limit takes the model in. The old unique constraint was created without a name, so its
 * name (which H2 and PostgreSQL choose differently) is looked up in the information schema both keep.
 */
public class V10__PerModelQuotas extends BaseJavaMigration {

    @Override
    public void migrate(Context context) throws SQLException {
        Connection c = context.getConnection();
        try (Statement s = c.createStatement()) {
            s.execute("alter table quotas add column model varchar(300) default '' not null");
            for (String constraint : uniqueConstraints(c)) {
                s.execute("alter table quotas drop constraint " + constraint);
            }
            s.execute("alter table quotas add constraint quotas_owner_limit unique (owner_type, owner_id, metric, period, model)");
        }
    }

    private static List<String> uniqueConstraints(Connection c) throws SQLException {
        List<String> names = new ArrayList<>();
        try (PreparedStatement q = c.prepareStatement("select constraint_name from information_schema.table_constraints"
                + " where lower(table_name) = 'quotas' and table_schema = current_schema and constraint_type = 'UNIQUE'")) {
            try (ResultSet rows = q.executeQuery()) {
                while (rows.next()) {
                    names.add('"' + rows.getString(1) + '"');
                }
            }
        }
        return names;
    }
}
