/**
 * Observing the gateway beyond the per-request usage record: Prometheus metrics, providers' own quota
 * figures, budget alerts, the alert webhook, captured conversations, and retention of everything stored.
 *
 * {@link io.tokenrouter.observe.ObservingService} decides who sees what of it.
 *
 * <p>Depends on {@code api}, {@code config}, {@code store}, {@code upstream}, {@code usage}, {@code quota}
 * (budgets' periods and money), {@code routing} (the route table's providers), {@code runtime}, {@code events},
 * {@code access} (callers and their roles) and {@code lifecycle} (metrics, provider-failure events and capture
 * are request listeners).
 */
package io.tokenrouter.observe;
