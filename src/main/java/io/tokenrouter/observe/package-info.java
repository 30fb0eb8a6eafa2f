/**
 * Observing the gateway beyond the per-request usage record: Prometheus metrics, the operational event
 * log, providers' own quota figures, captured conversations, and retention of everything stored.
 *
 * {@link io.tokenrouter.observe.ObservingService} decides who sees what of it.
 *
 * <p>Depends on {@code api}, {@code config}, {@code store}, {@code upstream}, {@code usage} and
 * {@code access} (callers and their roles).
 */
package io.tokenrouter.observe;
