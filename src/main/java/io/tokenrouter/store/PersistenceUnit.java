package io.tokenrouter.store;

import jakarta.persistence.SharedCacheMode;
import jakarta.persistence.ValidationMode;
import jakarta.persistence.spi.ClassTransformer;
import jakarta.persistence.spi.PersistenceUnitInfo;
import jakarta.persistence.spi.PersistenceUnitTransactionType;
import java.net.URL;
import java.util.List;
import java.util.Properties;
import javax.sql.DataSource;

/**
 * The gateway's persistence unit, described in code rather than in {@code META-INF/persistence.xml}: a full
 * Jakarta EE server deploys every {@code persistence.xml} it finds with its own provider and data source,
 * while this unit must be bootstrapped by {@link Database} with the DataSource it chose. Flyway owns the
 * schema; Hibernate never creates tables.
 */
final class PersistenceUnit implements PersistenceUnitInfo {

    static final List<Class<?>> ENTITIES = List.of(Team.class, ApiKey.class, Provider.class, ProviderModel.class,
            ModelAlias.class, Setting.class, Quota.class);

    private final DataSource dataSource;

    PersistenceUnit(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    @Override
    public String getPersistenceUnitName() {
        return "tokenrouter";
    }

    @Override
    public String getPersistenceProviderClassName() {
        return org.hibernate.jpa.HibernatePersistenceProvider.class.getName();
    }

    @Override
    public PersistenceUnitTransactionType getTransactionType() {
        return PersistenceUnitTransactionType.RESOURCE_LOCAL;
    }

    @Override
    public DataSource getJtaDataSource() {
        return null;
    }

    @Override
    public DataSource getNonJtaDataSource() {
        return dataSource;
    }

    @Override
    public List<String> getMappingFileNames() {
        return List.of();
    }

    @Override
    public List<URL> getJarFileUrls() {
        return List.of();
    }

    @Override
    public URL getPersistenceUnitRootUrl() {
        return null;
    }

    @Override
    public List<String> getManagedClassNames() {
        return ENTITIES.stream().map(Class::getName).toList();
    }

    @Override
    public boolean excludeUnlistedClasses() {
        return true;
    }

    @Override
    public SharedCacheMode getSharedCacheMode() {
        return SharedCacheMode.NONE;
    }

    @Override
    public ValidationMode getValidationMode() {
        return ValidationMode.NONE;
    }

    @Override
    public Properties getProperties() {
        Properties properties = new Properties();
        properties.setProperty("hibernate.hbm2ddl.auto", "none");
        properties.setProperty("hibernate.jdbc.time_zone", "UTC");
        properties.setProperty("hibernate.archive.autodetection", "none");
        // No XML-typed columns: a server's own Jackson XML module (Payara exposes one) must not be picked up
        // beside the application's Jackson, whose ObjectMapper it would not fit.
        properties.put("hibernate.type.xml_format_mapper", new NoXmlColumns());
        return properties;
    }

    @Override
    public String getPersistenceXMLSchemaVersion() {
        return "3.1";
    }

    @Override
    public ClassLoader getClassLoader() {
        return PersistenceUnit.class.getClassLoader();
    }

    @Override
    public void addTransformer(ClassTransformer transformer) {
        // no load-time weaving: entities are plain classes
    }

    @Override
    public ClassLoader getNewTempClassLoader() {
        return null;
    }

    /** The format mapper for XML-typed columns, which the gateway's entities do not have. */
    static final class NoXmlColumns implements org.hibernate.type.format.FormatMapper {
        @Override
        public <T> T fromString(CharSequence text, org.hibernate.type.descriptor.java.JavaType<T> type,
                                org.hibernate.type.descriptor.WrapperOptions options) {
            throw new UnsupportedOperationException("The gateway maps no XML columns");
        }

        @Override
        public <T> String toString(T value, org.hibernate.type.descriptor.java.JavaType<T> type,
                                   org.hibernate.type.descriptor.WrapperOptions options) {
            throw new UnsupportedOperationException("The gateway maps no XML columns");
        }
    }
}
