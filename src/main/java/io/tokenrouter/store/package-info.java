/**
 * Persistence: the JPA entities (teams, keys, providers, aliases, settings) with their typed values (a key's
 * {@link io.tokenrouter.store.Role}, stored by its name through a converter), their repositories,
 * the DataSource choice (container JNDI, then {@code DATABASE_URL}, then embedded H2), Flyway
 * migrations and the Hibernate bootstrap. The only package that sees an {@code EntityManager}.
 *
 * <p>Depends on {@code config} only.
 */
package io.tokenrouter.store;
