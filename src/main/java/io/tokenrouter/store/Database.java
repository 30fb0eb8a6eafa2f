package io.tokenrouter.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.tokenrouter.config.DatabaseUrls;
import io.tokenrouter.config.GatewaySettings;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;
import jakarta.persistence.EntityTransaction;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.logging.Logger;
import javax.naming.InitialContext;
import javax.naming.NamingException;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.hibernate.jpa.HibernatePersistenceProvider;

/**
 * Opens the database: the container DataSource {@code database_jndi} names (which must exist), else one the
 * container binds at a {@linkplain #CONVENTIONAL_NAMES conventional name}, else a HikariCP pool on
 * {@code database_url}, else an embedded H2 file in {@code TOKENROUTER_HOME}. The choice is logged at start-up
 * ({@link #info()}). Flyway migrates the schema before Hibernate starts; Hibernate never creates tables.
 */
@ApplicationScoped
public class Database {

    /** Kept here so that its level stays set (the logging framework holds loggers weakly). */
    private static final Logger HIBERNATE_POOL_LOG = Logger.getLogger("org.hibernate.orm.connections.pooling");
    private static final Logger LOG = Logger.getLogger(Database.class.getName());

    @Inject
    GatewaySettings settings;

    private DataSource dataSource;
    private HikariDataSource ownPool;
    private EntityManagerFactory entityManagerFactory;
    private boolean postgres;
    private String source;
    private Info info;
    private final List<Runnable> beforeClose = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final List<Consumer<DatabaseOutage.Change>> outageListeners = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final DatabaseOutage outage = new DatabaseOutage(this::reachable, change -> outageListeners.forEach(l -> {
        try {
            l.accept(change);
        } catch (RuntimeException e) {
            LOG.log(java.util.logging.Level.WARNING, "An outage listener failed", e);
        }
    }));

    @PostConstruct
    void open() {
        Optional<String> jndiName = settings.databaseJndi();
        Map.Entry<String, DataSource> container = jndiName.isPresent()
                ? Map.entry(jndiName.get(), requiredContainerDataSource(jndiName.get())) : containerDataSource();
        if (container == null) {
            ownPool = pool();
            dataSource = ownPool;
            source = settings.databaseUrl().isPresent() ? "database_url" : "the embedded default";
        } else {
            dataSource = container.getValue();
            source = "JNDI " + container.getKey();
        }
        try {
            info = inspect(dataSource, ownPool == null ? "container (" + dataSource.getClass().getName() + ")" : "HikariCP",
                    source);
            LOG.info("Database: " + info.describe());
            // Hibernate's own "Database info" block says "undefined/unknown" for every figure of a DataSource
            // it is handed; the line above says what is known
            HIBERNATE_POOL_LOG.setLevel(java.util.logging.Level.WARNING);
            Flyway.configure().dataSource(dataSource).locations("classpath:db/migration").load().migrate();
            postgres = info.product().toLowerCase(java.util.Locale.ROOT).contains("postgres");
            entityManagerFactory = new HibernatePersistenceProvider()
                    .createContainerEntityManagerFactory(new PersistenceUnit(dataSource), Map.of());
        } catch (RuntimeException | Error e) {
            // a failed start must not keep the pool (and an embedded database file's lock) open, whatever failed
            // (a class-loading clash inside a server is an Error)
            if (ownPool != null) {
                ownPool.close();
            }
            throw e;
        }
    }

    /**
     * Runs {@code task} before the database closes at shutdown (for writers that must drain first),
     * whatever order the container destroys beans in.
     */
    public void beforeClose(Runnable task) {
        beforeClose.add(task);
    }

    /** At undeploy: closes the database, then forgets the JDBC drivers this application registered. */
    @PreDestroy
    void shutdown() {
        close();
        deregisterOwnDrivers();
    }

    void close() {
        for (Runnable task : beforeClose) {
            try {
                task.run();
            } catch (RuntimeException e) {
                LOG.log(java.util.logging.Level.SEVERE, "A shutdown task failed before the database closed", e);
            }
        }
        beforeClose.clear();
        if (entityManagerFactory != null) {
            entityManagerFactory.close();
        }
        if (ownPool != null) {
            ownPool.close();
        }
    }

    /** JDBC drivers this application's class loader registered, so a redeploy leaks none. */
    private static void deregisterOwnDrivers() {
        ClassLoader own = Database.class.getClassLoader();
        for (java.sql.Driver driver : java.util.Collections.list(java.sql.DriverManager.getDrivers())) {
            if (driver.getClass().getClassLoader() == own) {
                try {
                    java.sql.DriverManager.deregisterDriver(driver);
                } catch (java.sql.SQLException e) {
                    LOG.fine("Could not deregister " + driver + ": " + e);
                }
            }
        }
    }

    /** Whether the database is reachable now, as this node last found it. */
    public DatabaseOutage outage() {
        return outage;
    }

    /** Calls {@code listener} when an outage begins and when it ends (on the thread that noticed). */
    public void onOutage(Consumer<DatabaseOutage.Change> listener) {
        outageListeners.add(listener);
    }

    /**
     * Notes a failure of work outside {@link #inTransaction} (a connection of its own): when it says the
     * database is gone, an outage begins and the exception to throw instead is answered; else null.
     */
    public DatabaseUnavailableException failed(Throwable failure) {
        return outage.failed(failure);
    }

    /** Whether this thread is inside {@link #inTransaction} (whose rows it may hold locked). */
    public boolean transactionOpen() {
        return current.get() != null;
    }

    /**
     * Runs {@code work} in one transaction, committed on return and rolled back on any exception. Called
     * inside another {@code inTransaction} on the same thread, it joins that transaction, so a service can
     * make several repository calls commit together or not at all.
     */
    public <T> T inTransaction(Function<EntityManager, T> work) {
        EntityManager outer = current.get();
        if (outer != null) {
            return work.apply(outer);
        }
        outage.check();
        EntityManager em = entityManagerFactory.createEntityManager();
        EntityTransaction tx = em.getTransaction();
        List<Runnable> afterCommit = new ArrayList<>();
        current.set(em);
        pendingAfterCommit.set(afterCommit);
        T result;
        try {
            tx.begin();
            result = work.apply(em);
            tx.commit();
        } catch (RuntimeException e) {
            end(em, tx, e);
            DatabaseUnavailableException unavailable = outage.failed(e);
            throw unavailable == null ? e : unavailable;
        } catch (Error e) {
            end(em, tx, e);
            throw e;
        }
        end(em, tx, null);
        afterCommit.forEach(Runnable::run);
        return result;
    }

    /**
     * Ends a transaction's thread state and its entity manager, rolling back what is still open. After a failure
     * ({@code failed}) the connection may be gone too: what closing it throws is kept with the failure, which
     * is what the caller hears of.
     */
    private void end(EntityManager em, EntityTransaction tx, Throwable failed) {
        current.remove();
        pendingAfterCommit.remove();
        try {
            if (tx.isActive()) {
                tx.rollback();
            }
        } catch (RuntimeException e) {
            if (failed == null) {
                em.close();
                throw e;
            }
            failed.addSuppressed(e);
        }
        try {
            em.close();
        } catch (RuntimeException e) {
            if (failed == null) {
                throw e;
            }
            failed.addSuppressed(e);
        }
    }

    public void run(Consumer<EntityManager> work) {
        inTransaction(em -> {
            work.accept(em);
            return null;
        });
    }

    /**
     * Runs {@code task} once the current transaction has committed (at once when there is none): for
     * effects outside the database, such as rebuilding this node's routes, that must not see a change
     * that may still roll back.
     */
    public void afterCommit(Runnable task) {
        List<Runnable> pending = pendingAfterCommit.get();
        if (pending == null) {
            task.run();
        } else {
            pending.add(task);
        }
    }

    /** The transaction this thread is in, which nested calls join. */
    private final ThreadLocal<EntityManager> current = new ThreadLocal<>();
    private final ThreadLocal<List<Runnable>> pendingAfterCommit = new ThreadLocal<>();

    /** The settings the database was opened with. */
    GatewaySettings settings() {
        return settings;
    }

    /**
     * A connection of the pool for work outside {@link #inTransaction} (the caller closes it): refused at once
     * while the database is known to be down; a failure to get one that says it is down begins an outage.
     */
    public java.sql.Connection connection() throws java.sql.SQLException {
        outage.check();
        try {
            return dataSource.getConnection();
        } catch (java.sql.SQLException e) {
            DatabaseUnavailableException unavailable = outage.failed(e);
            if (unavailable != null) {
                throw unavailable;
            }
            throw e;
        }
    }

    public DataSource dataSource() {
        return dataSource;
    }

    /** Whether the database is PostgreSQL (else the embedded H2), for the few statements that differ. */
    public boolean postgres() {
        return postgres;
    }

    /**
     * The database this node uses, as found at start-up: product and version, its JDBC URL without
     * credentials, who owns the connection pool (the container, or HikariCP here) and which setting chose it.
     */
    public record Info(String product, String version, String url, String pool, String source) {

        /** "PostgreSQL 16.4 at jdbc:postgresql://db/tokenrouter, pool: HikariCP, from database_url". */
        public String describe() {
            return product + " " + version + " at " + url + ", pool: " + pool + ", from " + source;
        }
    }

    public Info info() {
        return info;
    }

    /** {@link Info#describe()}, or why the database cannot be reached now. */
    public String describe() {
        try (java.sql.Connection c = dataSource.getConnection()) {
            return c.isValid(2) ? info.describe() : "not answering: " + info.describe();
        } catch (java.sql.SQLException e) {
            return "unreachable (" + e.getMessage() + "): " + info.describe();
        }
    }

    /** Whether the database gives a valid connection within {@code database_wait} now. */
    public boolean reachable() {
        try (java.sql.Connection c = dataSource.getConnection()) {
            return c.isValid((int) Math.max(1, settings.databaseWait().toSeconds()));
        } catch (java.sql.SQLException e) {
            return false;
        }
    }

    private static Info inspect(DataSource dataSource, String pool, String source) {
        try (java.sql.Connection c = dataSource.getConnection()) {
            var meta = c.getMetaData();
            return new Info(meta.getDatabaseProductName(), meta.getDatabaseProductVersion(),
                    DatabaseUrls.forLog(meta.getURL()), pool, source);
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException("The database from " + source + " gives no connection: " + e.getMessage(), e);
        }
    }

    /** The DataSource {@code database_jndi} names; the deployment stops when the container has none there. */
    private static DataSource requiredContainerDataSource(String name) {
        Object found;
        try {
            found = new InitialContext().lookup(name);
        } catch (NamingException | RuntimeException e) {
            throw new IllegalStateException("database_jndi is " + name + ", but the container has nothing bound there ("
                    + e + "). Define the DataSource in the container, or unset database_jndi.", e);
        }
        if (found instanceof DataSource ds) {
            return ds;
        }
        throw new IllegalStateException("database_jndi is " + name + ", but the container binds a "
                + (found == null ? "null" : found.getClass().getName()) + " there, not a javax.sql.DataSource.");
    }

    /**
     * Where a container's DataSource is looked for when {@code database_jndi} is unset: the application's own
     * environment (Tomcat's {@code <Resource name="jdbc/tokenrouter">} in context.xml), then the global names
     * the WildFly and Payara samples in {@code config-samples/} create. The application declares no
     * {@code <resource-ref>}: a full server would bind an unmapped reference to its default data source (an
     * in-memory example database), and Tomcat to an empty pool, each a wrong database that looks configured.
     */
    static final List<String> CONVENTIONAL_NAMES = List.of(GatewaySettings.JNDI_DATASOURCE,
            "java:jboss/datasources/TokenRouter", "jdbc/tokenrouter");

    /**
     * The first container DataSource found at a {@linkplain #CONVENTIONAL_NAMES conventional name} with its name,
     * or null when the container binds none. Something bound there that is not a DataSource stops the
     * deployment: it was meant to be the database, and another one must not be used in its place.
     */
    private static Map.Entry<String, DataSource> containerDataSource() {
        for (String name : CONVENTIONAL_NAMES) {
            Object found;
            try {
                found = new InitialContext().lookup(name);
            } catch (NamingException | RuntimeException e) {
                // not bound, or no naming service at all (tests, plain Java)
                LOG.fine("No container DataSource at " + name + ": " + e);
                continue;
            }
            if (found instanceof DataSource ds) {
                return Map.entry(name, ds);
            }
            throw new IllegalStateException("The container binds a " + (found == null ? "null" : found.getClass().getName())
                    + " at " + name + ", not a javax.sql.DataSource.");
        }
        return null;
    }

    private HikariDataSource pool() {
        HikariConfig config = new HikariConfig();
        config.setPoolName("tokenrouter");
        if (settings.databaseUrl().isPresent()) {
            DatabaseUrls.Jdbc jdbc = DatabaseUrls.toJdbc(settings.databaseUrl().get());
            config.setJdbcUrl(jdbc.url());
            settings.databaseUser().or(jdbc::user).ifPresent(config::setUsername);
            settings.databasePassword().or(jdbc::password).ifPresent(config::setPassword);
        } else {
            config.setJdbcUrl(embeddedH2Url());
            config.setUsername("sa");
        }
        driverFor(config.getJdbcUrl()).ifPresent(config::setDriverClassName);
        config.setMaximumPoolSize(16);
        // nothing waits on a database that is gone longer than database_wait: neither for a connection from the
        // pool nor for a new one (PostgreSQL's driver counts whole seconds)
        long wait = settings.databaseWait().toMillis();
        config.setConnectionTimeout(wait);
        config.setValidationTimeout(Math.max(250, Math.min(wait - 1, 1000)));
        if (config.getJdbcUrl().startsWith("jdbc:postgresql:")) {
            config.addDataSourceProperty("connectTimeout", String.valueOf(Math.max(1, wait / 1000)));
        }
        return new HikariDataSource(config);
    }

    /** Named explicitly: DriverManager does not see drivers inside a web application's own libraries. */
    private static java.util.Optional<String> driverFor(String jdbcUrl) {
        if (jdbcUrl.startsWith("jdbc:h2:")) {
            return java.util.Optional.of("org.h2.Driver");
        }
        if (jdbcUrl.startsWith("jdbc:postgresql:")) {
            return java.util.Optional.of("org.postgresql.Driver");
        }
        return java.util.Optional.empty();
    }

    private String embeddedH2Url() {
        try {
            Files.createDirectories(settings.home());
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create TOKENROUTER_HOME " + settings.home(), e);
        }
        return "jdbc:h2:file:" + settings.home().resolve("tokenrouter").toAbsolutePath()
                + ";DB_CLOSE_ON_EXIT=FALSE";
    }
}
