/**
 * Quotas on requests and tokens for keys and teams, total or per calendar period (UTC), enforced
 * without overspend across a cluster: {@link io.tokenrouter.quota.QuotaGate#reserve} takes every
 * applicable limit atomically in the database before a request is forwarded, and
 * {@link io.tokenrouter.quota.QuotaGate#settle} replaces the reservation with the actual usage after.
 *
 * <p>Depends on {@code api}, {@code config} (its scheduler) and {@code store}.
 */
package io.tokenrouter.quota;
