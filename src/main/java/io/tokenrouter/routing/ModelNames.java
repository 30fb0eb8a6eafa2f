package io.tokenrouter.routing;

import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * Model ids as providers list them, and the known ids closest to a name a client got wrong, for "did you
 * mean" answers.
 */
public final class ModelNames {

    /** A prefix some providers' lists put before every id (Gemini's OpenAI-compatible list: {@code models/…}). */
    private static final String LIST_PREFIX = "models/";

    private ModelNames() {
    }

    /** An id as the gateway keeps a provider's list: without the {@code models/} prefix some lists carry. */
    public static String listed(String id) {
        return id.startsWith(LIST_PREFIX) && id.length() > LIST_PREFIX.length() ? id.substring(LIST_PREFIX.length()) : id;
    }

    /** Up to {@code limit} ids within a few edits of {@code wanted} (compared without provider prefix too), closest first. */
    static List<String> closest(String wanted, Collection<String> ids, int limit) {
        String target = wanted.toLowerCase(Locale.ROOT);
        int tolerance = Math.max(2, target.length() / 3);
        record Scored(String id, int distance) {
        }
        return ids.stream()
                .map(id -> new Scored(id, Math.min(distance(target, id.toLowerCase(Locale.ROOT)),
                        distance(target, bare(id).toLowerCase(Locale.ROOT)))))
                .filter(s -> s.distance() <= tolerance)
                .sorted(Comparator.comparingInt(Scored::distance).thenComparing(Scored::id))
                .limit(limit).map(Scored::id).toList();
    }

    private static String bare(String id) {
        int slash = id.indexOf('/');
        return slash < 0 ? id : id.substring(slash + 1);
    }

    /** Levenshtein distance, bounded to names of model-id length. */
    static int distance(String a, String b) {
        if (a.length() > 200 || b.length() > 200) {
            return Integer.MAX_VALUE;
        }
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                current[j] = Math.min(Math.min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}
