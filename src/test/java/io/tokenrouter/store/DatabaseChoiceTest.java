package io.tokenrouter.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import io.tokenrouter.config.GatewaySettings;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.util.HashMap;
import java.util.Hashtable;
import java.util.Map;
import javax.naming.Context;
import javax.naming.NameNotFoundException;
import javax.naming.spi.InitialContextFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Which database the gateway opens, and that a configured container DataSource is never silently replaced. */
class DatabaseChoiceTest {

    /** What the fake naming service below has bound, by name. */
    static final Map<String, Object> BOUND = new HashMap<>();

    public static final class Naming implements InitialContextFactory {
        @Override
        public Context getInitialContext(Hashtable<?, ?> environment) {
            return (Context) Proxy.newProxyInstance(Context.class.getClassLoader(), new Class<?>[] {Context.class},
                    (proxy, method, args) -> switch (method.getName()) {
                        case "lookup" -> {
                            Object found = BOUND.get(String.valueOf(args[0]));
                            if (found == null) {
                                throw new NameNotFoundException(args[0] + " is not bound");
                            }
                            yield found;
                        }
                        case "close" -> null;
                        default -> throw new UnsupportedOperationException(method.getName());
                    });
        }
    }

    private final java.util.List<AutoCloseable> toClose = new java.util.ArrayList<>();

    @AfterEach
    void cleanUp() throws Exception {
        System.clearProperty(Context.INITIAL_CONTEXT_FACTORY);
        BOUND.clear();
        for (AutoCloseable c : toClose) {
            c.close();
        }
    }

    @Test
    void theEmbeddedDefaultSaysSoAndWhoPools() {
        Database database = TestDatabases.h2();
        try {
            assertThat(database.info().product()).isEqualTo("H2");
            assertThat(database.info().pool()).isEqualTo("HikariCP");
            assertThat(database.info().source()).isEqualTo("the embedded default");
            assertThat(database.describe()).startsWith("H2 ").contains("jdbc:h2:file:", "pool: HikariCP");
        } finally {
            TestDatabases.close(database);
        }
    }

    @Test
    void postgresFromDatabaseUrlShowsNoCredentials() {
        Database database = TestDatabases.postgres();
        try {
            assertThat(database.postgres()).isTrue();
            assertThat(database.info().product()).isEqualTo("PostgreSQL");
            assertThat(database.info().source()).isEqualTo("database_url");
            assertThat(database.info().url()).startsWith("jdbc:postgresql://").doesNotContain("password");
        } finally {
            TestDatabases.close(database);
        }
    }

    @Test
    void theContainersDataSourceWinsAndOpensNoPoolOfItsOwn() throws Exception {
        HikariDataSource container = h2Pool();
        BOUND.put(GatewaySettings.JNDI_DATASOURCE, container);
        System.setProperty(Context.INITIAL_CONTEXT_FACTORY, Naming.class.getName());

        Database database = open(Map.of("tokenrouter.database_url", "postgresql://nowhere.invalid/db"));
        try {
            assertThat(database.dataSource()).isSameAs(container);
            assertThat(database.info().pool()).isEqualTo("container (" + HikariDataSource.class.getName() + ")");
            assertThat(database.info().source()).isEqualTo("JNDI " + GatewaySettings.JNDI_DATASOURCE);
        } finally {
            TestDatabases.close(database);
        }
        assertThat(container.isClosed()).as("the container's pool is the container's to close").isFalse();
    }

    @Test
    void theWildFlySamplesGlobalNameIsFoundToo() throws Exception {
        HikariDataSource container = h2Pool();
        BOUND.put("java:jboss/datasources/TokenRouter", container);
        System.setProperty(Context.INITIAL_CONTEXT_FACTORY, Naming.class.getName());

        Database database = open(Map.of());
        try {
            assertThat(database.dataSource()).isSameAs(container);
            assertThat(database.info().source()).isEqualTo("JNDI java:jboss/datasources/TokenRouter");
        } finally {
            TestDatabases.close(database);
        }
    }

    @Test
    void aServersDefaultDataSourceIsNeverTaken() throws Exception {
        BOUND.put("java:comp/DefaultDataSource", h2Pool());
        BOUND.put("java:jboss/datasources/ExampleDS", h2Pool());
        System.setProperty(Context.INITIAL_CONTEXT_FACTORY, Naming.class.getName());

        Database database = open(Map.of());
        try {
            assertThat(database.info().source()).isEqualTo("the embedded default");
            assertThat(database.info().pool()).isEqualTo("HikariCP");
        } finally {
            TestDatabases.close(database);
        }
    }

    @Test
    void aConfiguredJndiNameIsUsed() throws Exception {
        HikariDataSource container = h2Pool();
        BOUND.put("java:jboss/datasources/TokenRouter", container);
        System.setProperty(Context.INITIAL_CONTEXT_FACTORY, Naming.class.getName());

        Database database = open(Map.of("tokenrouter.database_jndi", "java:jboss/datasources/TokenRouter"));
        try {
            assertThat(database.dataSource()).isSameAs(container);
            assertThat(database.info().source()).isEqualTo("JNDI java:jboss/datasources/TokenRouter");
        } finally {
            TestDatabases.close(database);
        }
    }

    @Test
    void aConfiguredJndiNameThatIsMissingStopsTheStartInsteadOfFallingBack() {
        System.setProperty(Context.INITIAL_CONTEXT_FACTORY, Naming.class.getName());
        assertThatThrownBy(() -> open(Map.of("tokenrouter.database_jndi", "java:comp/env/jdbc/missing")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("database_jndi is java:comp/env/jdbc/missing")
                .hasMessageContaining("nothing bound there");
    }

    @Test
    void aConfiguredJndiNameWithoutAnyNamingServiceStopsTheStart() {
        assertThatThrownBy(() -> open(Map.of("tokenrouter.database_jndi", "jdbc/tokenrouter")))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("database_jndi is jdbc/tokenrouter");
    }

    @Test
    void somethingOtherThanADataSourceAtTheStandardNameStopsTheStart() {
        BOUND.put(GatewaySettings.JNDI_DATASOURCE, "jdbc:postgresql://db/tokenrouter");
        System.setProperty(Context.INITIAL_CONTEXT_FACTORY, Naming.class.getName());
        assertThatThrownBy(() -> open(Map.of())).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("java.lang.String at " + GatewaySettings.JNDI_DATASOURCE);
    }

    @Test
    void aContainerDataSourceThatGivesNoConnectionStopsTheStart() throws Exception {
        HikariDataSource broken = new HikariDataSource();
        broken.setJdbcUrl("jdbc:postgresql://127.0.0.1:1/none");
        broken.setInitializationFailTimeout(-1);
        broken.setConnectionTimeout(500);
        toClose.add(broken);
        BOUND.put(GatewaySettings.JNDI_DATASOURCE, broken);
        System.setProperty(Context.INITIAL_CONTEXT_FACTORY, Naming.class.getName());
        assertThatThrownBy(() -> open(Map.of())).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("The database from JNDI " + GatewaySettings.JNDI_DATASOURCE + " gives no connection");
    }

    private HikariDataSource h2Pool() throws Exception {
        HikariDataSource pool = new HikariDataSource();
        pool.setJdbcUrl("jdbc:h2:file:" + Files.createTempDirectory("tokenrouter-jndi").resolve("db") + ";DB_CLOSE_ON_EXIT=FALSE");
        pool.setUsername("sa");
        toClose.add(pool);
        return pool;
    }

    private static Database open(Map<String, String> properties) throws Exception {
        Map<String, String> all = new HashMap<>(properties);
        all.put("tokenrouter.home", Files.createTempDirectory("tokenrouter-choice").toString());
        Database database = new Database();
        database.settings = GatewaySettings.load(all, Map.of());
        database.open();
        return database;
    }
}
