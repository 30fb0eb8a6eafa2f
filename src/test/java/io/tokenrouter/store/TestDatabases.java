package io.tokenrouter.store;

import io.tokenrouter.config.GatewaySettings;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Real databases for store-level tests: an embedded H2 file database and a real PostgreSQL server
 * (binaries from Maven Central), each migrated by Flyway exactly as the gateway does at start-up.
 */
public final class TestDatabases {

    private static EmbeddedPostgres postgres;

    private TestDatabases() {
    }

    /** A fresh H2 file database in a temporary home. */
    public static Database h2() {
        try {
            Path home = Files.createTempDirectory("tokenrouter-h2");
            return open(Map.of("tokenrouter.home", home.toString()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A fresh database on the shared embedded PostgreSQL server. */
    public static Database postgres() {
        return postgres(Map.of());
    }

    /** A fresh database on the shared embedded PostgreSQL server, with more settings ({@code tokenrouter.*}). */
    public static synchronized Database postgres(Map<String, String> settings) {
        try {
            if (postgres == null) {
                postgres = EmbeddedPostgres.builder().setPGStartupWait(java.time.Duration.ofSeconds(60)).start();
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    try {
                        postgres.close();
                    } catch (IOException ignored) {
                        // the JVM is exiting
                    }
                }));
            }
            String name = "tr_" + Long.toHexString(System.nanoTime());
            try (var c = postgres.getPostgresDatabase().getConnection(); var s = c.createStatement()) {
                s.execute("create database " + name);
            }
            Path home = Files.createTempDirectory("tokenrouter-pg");
            Map<String, String> properties = new java.util.HashMap<>(settings);
            properties.putAll(Map.of("tokenrouter.home", home.toString(),
                    "tokenrouter.database_url", postgres.getJdbcUrl("postgres", name),
                    "tokenrouter.database_user", "postgres"));
            return open(properties);
        } catch (IOException | java.sql.SQLException e) {
            throw new IllegalStateException("Could not start the embedded PostgreSQL server", e);
        }
    }

    private static Database open(Map<String, String> properties) {
        Database database = new Database();
        database.settings = GatewaySettings.load(properties, Map.of());
        database.open();
        return database;
    }

    /**
     * The databases one test class opens: {@link #both} names an H2 and a PostgreSQL factory for
     * parameterized tests, and {@link #closeAll} (from {@code @AfterAll}) closes whatever they opened.
     */
    public static final class Opened {
        private final java.util.List<Database> opened = java.util.Collections.synchronizedList(new java.util.ArrayList<>());

        public java.util.stream.Stream<org.junit.jupiter.api.Named<java.util.function.Supplier<Database>>> both() {
            return java.util.stream.Stream.of(org.junit.jupiter.api.Named.of("H2", () -> keep(h2())),
                    org.junit.jupiter.api.Named.of("PostgreSQL", () -> keep(postgres())));
        }

        public Database keep(Database database) {
            opened.add(database);
            return database;
        }

        public void closeAll() {
            opened.forEach(TestDatabases::close);
            opened.clear();
        }
    }

    public static void close(Database database) {
        database.close();
    }

    public static ApiKeyRepository keys(Database database) {
        ApiKeyRepository repository = new ApiKeyRepository();
        repository.database = database;
        return repository;
    }

    public static TeamRepository teams(Database database) {
        TeamRepository repository = new TeamRepository();
        repository.database = database;
        return repository;
    }

    public static JobLocks jobLocks(Database database) {
        JobLocks locks = new JobLocks();
        locks.database = database;
        return locks;
    }

    public static ProviderRepository providers(Database database) {
        ProviderRepository repository = new ProviderRepository();
        repository.database = database;
        return repository;
    }

    public static EventRepository events(Database database) {
        EventRepository repository = new EventRepository();
        repository.database = database;
        return repository;
    }

    public static AuditRepository audit(Database database) {
        AuditRepository repository = new AuditRepository();
        repository.database = database;
        return repository;
    }

    public static RequestLogRepository requestLog(Database database) {
        RequestLogRepository repository = new RequestLogRepository();
        repository.database = database;
        return repository;
    }

    /**
     * A request log repository of the test's own subclass (one that fails or blocks on purpose), wired to
     * {@code database}.
     */
    public static <T extends RequestLogRepository> T requestLog(Database database, T repository) {
        repository.database = database;
        return repository;
    }

    public static PriceRepository prices(Database database) {
        PriceRepository repository = new PriceRepository();
        repository.database = database;
        return repository;
    }

    public static ConversationRepository conversations(Database database) {
        ConversationRepository repository = new ConversationRepository();
        repository.database = database;
        return repository;
    }

    public static ResponseOwnerRepository responseOwners(Database database) {
        ResponseOwnerRepository repository = new ResponseOwnerRepository();
        repository.database = database;
        return repository;
    }

    /** A node identity of its own on {@code database}, as each gateway node has. */
    public static NodeRegistry node(Database database) {
        NodeRegistry node = new NodeRegistry();
        node.database = database;
        return node;
    }

    public static Database databaseOf(QuotaRepository repository) {
        return repository.database;
    }

    public static PersonRepository people(Database database) {
        PersonRepository repository = new PersonRepository();
        repository.database = database;
        return repository;
    }

    public static SessionRepository sessions(Database database) {
        SessionRepository repository = new SessionRepository();
        repository.database = database;
        return repository;
    }

    public static BudgetAlertRepository budgetAlerts(Database database) {
        BudgetAlertRepository repository = new BudgetAlertRepository();
        repository.database = database;
        return repository;
    }

    public static QuotaRepository quotas(Database database) {
        return quotas(database, new QuotaRepository());
    }

    /** A quota repository of the test's own subclass (one that fails on purpose), wired to {@code database}. */
    public static <T extends QuotaRepository> T quotas(Database database, T repository) {
        repository.database = database;
        return repository;
    }
}
