/**
 * Observing the gateway beyond the per-request usage record: Prometheus metrics, providers' own quota
 * figures, budget alerts, the alert webhook, captured conversations, and retention of everything stored.
 *
 * Four services, by use case, decide who sees what of it: {@link io.tokenrouter.observe.TrafficService} (usage
 * analytics and the request log), {@link io.tokenrouter.observe.ConversationService},
 * {@link io.tokenrouter.observe.StatusService} (provider quotas, events, nodes) and
 * {@link io.tokenrouter.observe.PriceService} (prices and the catalog).
 *
 * <p>Depends on {@code api}, {@code config}, {@code store}, {@code upstream}, {@code usage}, {@code quota}
 * (budgets' periods and money), {@code routing} (the route table's providers), {@code runtime}, {@code events},
 * {@code access} (callers and their roles) and {@code lifecycle} (metrics, provider-failure events and capture
 * are request listeners).
 */
package io.tokenrouter.observe;
