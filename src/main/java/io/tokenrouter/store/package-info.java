/**
 * Persistence: the JPA entities (teams, keys, providers, aliases, settings), their repositories,
 * the DataSource choice (container JNDI, then {@code DATABASE_URL}, then embedded H2), Flyway
 * migrations and the Hibernate bootstrap. The only package that sees an {@code EntityManager}.
 *
 * <p>Depends on {@code config} only.
 */
package io.tokenrouter.store;
