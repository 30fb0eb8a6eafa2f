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
import jakarta.persistence.Persistence;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.logging.Logger;
import javax.naming.InitialContext;
import javax.naming.NamingException;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;

/**
 * Opens the database: the container's JNDI DataSource {@value GatewaySettings#JNDI_DATASOURCE} when it
 * defines one, else a HikariCP pool on {@code database_url}, else an embedded H2 file in
 * {@code TOKENROUTER_HOME}. Flyway migrates the schema before Hibernate starts; Hibernate never creates
 * tables.
 */
@ApplicationScoped
public class Database {

    private static final Logger LOG = Logger.getLogger(Database.class.getName());

    @Inject
    GatewaySettings settings;

    private DataSource dataSource;
    private HikariDataSource ownPool;
    private EntityManagerFactory entityManagerFactory;
    private boolean postgres;
    private final List<Runnable> beforeClose = new java.util.concurrent.CopyOnWriteArrayList<>();

    @PostConstruct
    void open() {
        dataSource = containerDataSource();
        if (dataSource == null) {
            ownPool = pool();
            dataSource = ownPool;
        }
        try {
            Flyway.configure().dataSource(dataSource).locations("classpath:db/migration").load().migrate();
            postgres = productName().toLowerCase(java.util.Locale.ROOT).contains("postgres");
            entityManagerFactory = Persistence.createEntityManagerFactory("tokenrouter",
                    Map.of("jakarta.persistence.nonJtaDataSource", dataSource));
        } catch (RuntimeException e) {
            // a failed start must not keep the pool (and an embedded database file's lock) open
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
        } finally {
            current.remove();
            pendingAfterCommit.remove();
            if (tx.isActive()) {
                tx.rollback();
            }
            em.close();
        }
        afterCommit.forEach(Runnable::run);
        return result;
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

    public DataSource dataSource() {
        return dataSource;
    }

    /** Whether the database is PostgreSQL (else the embedded H2), for the few statements that differ. */
    public boolean postgres() {
        return postgres;
    }

    /** Which database this node uses and how it got it: "PostgreSQL 16.4 via DATABASE_URL (jdbc:postgresql://db/…)". */
    public String describe() {
        String source = ownPool == null ? "the container's DataSource " + GatewaySettings.JNDI_DATASOURCE
                : settings.databaseUrl().isPresent() ? "DATABASE_URL" : "the embedded default";
        try (java.sql.Connection c = dataSource.getConnection()) {
            var meta = c.getMetaData();
            return meta.getDatabaseProductName() + " " + meta.getDatabaseProductVersion() + " via " + source
                    + " (" + DatabaseUrls.forLog(meta.getURL()) + ")";
        } catch (java.sql.SQLException e) {
            return "unreachable via " + source + ": " + e.getMessage();
        }
    }

    private String productName() {
        try (java.sql.Connection c = dataSource.getConnection()) {
            return c.getMetaData().getDatabaseProductName();
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException("Cannot read the database's product name: " + e.getMessage(), e);
        }
    }

    private static DataSource containerDataSource() {
        try {
            Object found = new InitialContext().lookup(GatewaySettings.JNDI_DATASOURCE);
            if (found instanceof DataSource ds) {
                LOG.info("Using the container's DataSource " + GatewaySettings.JNDI_DATASOURCE);
                return ds;
            }
        } catch (NamingException | RuntimeException e) {
            LOG.fine("No container DataSource at " + GatewaySettings.JNDI_DATASOURCE + ": " + e);
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
            LOG.info("Using database " + DatabaseUrls.forLog(jdbc.url()));
        } else {
            config.setJdbcUrl(embeddedH2Url());
            config.setUsername("sa");
            LOG.info("Using the embedded H2 database " + config.getJdbcUrl());
        }
        driverFor(config.getJdbcUrl()).ifPresent(config::setDriverClassName);
        config.setMaximumPoolSize(16);
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
