/**
 * Observing the gateway beyond the per-request usage record: Prometheus metrics, the operational event
 * log, providers' own quota figures, captured conversations, and retention of everything stored.
 *
 * <p>Depends on {@code api}, {@code config}, {@code store}, {@code upstream} and {@code usage}.
 */
package io.tokenrouter.observe;
