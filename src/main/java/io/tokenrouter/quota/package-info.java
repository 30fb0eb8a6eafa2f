/**
 * Quotas on requests, tokens and cost for keys and teams, total or per window (a minute, an hour, a calendar
 * day, week or month in UTC; the window rule is the store's {@link io.tokenrouter.store.QuotaWindow}), enforced
 * without overspend across a cluster: {@link io.tokenrouter.quota.QuotaGate#reserve} takes every
 * applicable limit atomically in the database before a request is forwarded, and
 * {@link io.tokenrouter.quota.QuotaGate#settle} replaces the reservation with the actual usage after.
 *
 * <p>Depends on {@code api}, {@code config} (its scheduler) and {@code store}.
 */
package io.tokenrouter.quota;
