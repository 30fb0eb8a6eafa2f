/**
 * Persistence: the JPA entities (teams, keys, providers, aliases, settings, quotas) with their typed values (a
 * key's {@link io.tokenrouter.store.Role}; a quota's {@link io.tokenrouter.store.OwnerType},
 * {@link io.tokenrouter.store.Metric} and {@link io.tokenrouter.store.Period}; a request's
 * {@link io.tokenrouter.store.Outcome}), each stored by its wire name through
 * {@link io.tokenrouter.store.WireNameColumn}, the one quota-window rule in Java and SQL
 * ({@link io.tokenrouter.store.QuotaWindow}), their repositories,
 * the DataSource choice (container JNDI, then {@code DATABASE_URL}, then embedded H2), Flyway
 * migrations and the Hibernate bootstrap. The only package that sees an {@code EntityManager}.
 *
 * <p>Depends on {@code config} only.
 */
package io.tokenrouter.store;
