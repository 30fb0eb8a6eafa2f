package io.tokenrouter.routing;

import io.tokenrouter.routing.ProviderTarget;
import java.util.ArrayList;
import java.util.List;

/**
 * A provider's pool of API keys as it is sealed at rest: one {@code weight key} per line (keys are
 * visible ASCII without spaces, see {@link ProviderKeys}). At most {@link #MAX_KEYS} keys, weights 1 to
 * {@link #MAX_WEIGHT}.
 */
public final class KeyPool {

    public static final int MAX_KEYS = 50;
    public static final int MAX_WEIGHT = 1000;

    private KeyPool() {
    }

    /** Checks and cleans the keys of {@code provider}; an IllegalArgumentException names the entry, never a key. */
    public static List<ProviderTarget.Key> clean(String provider, List<ProviderTarget.Key> keys) {
        if (keys.isEmpty() || keys.size() > MAX_KEYS) {
            throw new IllegalArgumentException("provider '" + provider + "' api_keys must hold 1 to " + MAX_KEYS + " keys");
        }
        List<ProviderTarget.Key> clean = new ArrayList<>();
        for (int i = 0; i < keys.size(); i++) {
            ProviderTarget.Key k = keys.get(i);
            String key = k == null ? null : ProviderKeys.clean(provider, k.credential());
            if (key == null) {
                throw new IllegalArgumentException("provider '" + provider + "' api_keys[" + i + "] has no key");
            }
            if (k.weight() < 1 || k.weight() > MAX_WEIGHT) {
                throw new IllegalArgumentException("provider '" + provider + "' api_keys[" + i + "] weight must be 1 to "
                        + MAX_WEIGHT);
            }
            if (clean.stream().anyMatch(c -> c.credential().equals(key))) {
                throw new IllegalArgumentException("provider '" + provider + "' api_keys[" + i + "] repeats another key");
            }
            clean.add(new ProviderTarget.Key(key, k.weight()));
        }
        return List.copyOf(clean);
    }

    public static String write(List<ProviderTarget.Key> keys) {
        StringBuilder text = new StringBuilder();
        keys.forEach(k -> text.append(k.weight()).append(' ').append(k.credential()).append('\n'));
        return text.toString();
    }

    /** The keys of a sealed pool once opened; empty for none. */
    public static List<ProviderTarget.Key> read(String opened) {
        if (opened == null || opened.isBlank()) {
            return List.of();
        }
        List<ProviderTarget.Key> keys = new ArrayList<>();
        for (String line : opened.split("\n")) {
            int space = line.indexOf(' ');
            if (space > 0) {
                keys.add(new ProviderTarget.Key(line.substring(space + 1), Integer.parseInt(line.substring(0, space))));
            }
        }
        return List.copyOf(keys);
    }
}
