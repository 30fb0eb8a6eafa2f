package io.tokenrouter.proxy;

import io.tokenrouter.routing.Route;
import io.tokenrouter.routing.RoutePlan;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Predicate;

/**
 * The targets one request may still try and what each try did. {@link #next} picks a target of the
 * first group with healthy targets not yet tried, by weight; targets cooling down are tried only when
 * no healthy one is left. The outcome of every try is kept for the request log
 * ({@code provider/model status latency}).
 */
final class Attempts {

    private final RoutePlan plan;
    private final Predicate<Route> cooling;
    private final Set<Route> tried = new HashSet<>();
    private final java.util.Map<Route, Set<Integer>> triedKeys = new java.util.HashMap<>();
    private final List<String> outcomes = new ArrayList<>();

    Attempts(RoutePlan plan, Predicate<Route> cooling) {
        this.plan = plan;
        this.cooling = plan.size() > 1 ? cooling : route -> false;
    }

    /** Whether the targets' health matters: only when there is another target to go to. */
    boolean tracked() {
        return plan.size() > 1;
    }

    /** The next target to try, or null when every one was tried. */
    synchronized Route next() {
        for (boolean healthyOnly : new boolean[] {true, false}) {
            for (List<RoutePlan.Candidate> group : plan.groups()) {
                List<RoutePlan.Candidate> left = group.stream()
                        .filter(c -> !tried.contains(c.route()) && (!healthyOnly || !cooling.test(c.route()))).toList();
                if (!left.isEmpty()) {
                    Route chosen = pick(left);
                    tried.add(chosen);
                    return chosen;
                }
            }
        }
        return null;
    }

    /**
     * A key of {@code route}'s provider pool this request has not tried yet, by weight, a cooling one only
     * when no other is left; -1 when every key was tried (or the provider has no pool).
     */
    synchronized int nextKey(Route route, Predicate<String> cooling) {
        List<io.tokenrouter.routing.ProviderTarget.Key> keys = route.provider().keys();
        Set<Integer> used = triedKeys.computeIfAbsent(route, r -> new HashSet<>());
        for (boolean healthyOnly : new boolean[] {true, false}) {
            int total = 0;
            for (int i = 0; i < keys.size(); i++) {
                if (!used.contains(i) && (!healthyOnly || !cooling.test(keyName(route, i)))) {
                    total += keys.get(i).weight();
                }
            }
            if (total == 0) {
                continue;
            }
            int roll = ThreadLocalRandom.current().nextInt(total);
            for (int i = 0; i < keys.size(); i++) {
                if (!used.contains(i) && (!healthyOnly || !cooling.test(keyName(route, i)))) {
                    roll -= keys.get(i).weight();
                    if (roll < 0) {
                        used.add(i);
                        return i;
                    }
                }
            }
        }
        return -1;
    }

    /** How a pool key is named in the health view and the event log: never by the key itself. */
    static String keyName(Route route, int index) {
        return route.provider().name() + " key " + (index + 1);
    }

    private static Route pick(List<RoutePlan.Candidate> candidates) {
        if (candidates.size() == 1) {
            return candidates.get(0).route();
        }
        int total = candidates.stream().mapToInt(RoutePlan.Candidate::weight).sum();
        int roll = ThreadLocalRandom.current().nextInt(total);
        for (RoutePlan.Candidate c : candidates) {
            roll -= c.weight();
            if (roll < 0) {
                return c.route();
            }
        }
        return candidates.get(candidates.size() - 1).route();
    }

    /** Whether another target is left to try. */
    synchronized boolean hasNext() {
        return tried.size() < plan.size();
    }

    /** Notes how one try ended: its HTTP status (0 for no answer) and how long it took. */
    synchronized void ended(Route route, int status, long millis) {
        outcomes.add(route.qualifiedModel() + " " + (status == 0 ? "-" : status) + " " + millis + "ms");
    }

    synchronized int count() {
        return outcomes.size();
    }

    /** The tries of a request that took more than one, for the request log; null for one try. */
    synchronized String summary() {
        return outcomes.size() < 2 ? null : String.join(", ", outcomes);
    }
}
