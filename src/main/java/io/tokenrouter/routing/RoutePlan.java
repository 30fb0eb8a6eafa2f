package io.tokenrouter.routing;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * Where one request may go, in order: groups of weighted routes. The proxy tries one route of the first
 * group (chosen by weight among the healthy ones), then the group's others, then the next group. A model
 * that is not an alias with several targets has one group of one route.
 */
public record RoutePlan(String publicModel, List<List<Candidate>> groups) {

    /** One route and its weight within its group. */
    public record Candidate(Route route, int weight) {
    }

    public RoutePlan {
        List<List<Candidate>> copied = new ArrayList<>(groups.size());
        for (List<Candidate> group : groups) {
            if (!group.isEmpty()) {
                copied.add(List.copyOf(group)); // the same list when it is an unmodifiable one already
            }
        }
        groups = List.copyOf(copied);
        if (groups.isEmpty()) {
            throw new IllegalArgumentException("a plan needs at least one route");
        }
    }

    /** A plan of one route. */
    public static RoutePlan of(Route route) {
        return new RoutePlan(route.publicModel(), List.of(List.of(new Candidate(route, 1))));
    }

    /** The route tried first when every route is healthy and weights are equal. */
    public Route first() {
        return groups.get(0).get(0).route();
    }

    /** Every route, in group order. */
    public List<Route> routes() {
        List<Route> all = new ArrayList<>();
        groups.forEach(g -> g.forEach(c -> all.add(c.route())));
        return all;
    }

    /** The plan with only the routes {@code keep} accepts (null when none is left). */
    public RoutePlan filter(Predicate<Route> keep) {
        boolean all = true;
        every:
        for (List<Candidate> group : groups) {
            for (Candidate c : group) {
                if (!keep.test(c.route())) {
                    all = false;
                    break every;
                }
            }
        }
        if (all) { // the common case: nothing to take out, nothing to copy
            return this;
        }
        List<List<Candidate>> kept = new ArrayList<>();
        for (List<Candidate> group : groups) {
            kept.add(group.stream().filter(c -> keep.test(c.route())).toList());
        }
        return kept.stream().allMatch(List::isEmpty) ? null : new RoutePlan(publicModel, kept);
    }

    public int size() {
        return groups.stream().mapToInt(List::size).sum();
    }
}
