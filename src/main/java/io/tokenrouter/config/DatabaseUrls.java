package io.tokenrouter.config;

import java.net.URI;
import java.util.Optional;

/**
 * Turns the URL forms people put in {@code DATABASE_URL} into JDBC: {@code jdbc:...} passes as it is,
 * {@code postgres://user:pass@host:5432/db} becomes a PostgreSQL JDBC URL with its credentials split off.
 */
public final class DatabaseUrls {

    /** A JDBC URL with the user and password that were embedded in the original URL, if any. */
    public record Jdbc(String url, Optional<String> user, Optional<String> password) {
    }

    private DatabaseUrls() {
    }

    static boolean isSupported(String url) {
        return url.startsWith("jdbc:") || url.startsWith("postgres://") || url.startsWith("postgresql://");
    }

    public static Jdbc toJdbc(String url) {
        if (url.startsWith("jdbc:")) {
            return new Jdbc(url, Optional.empty(), Optional.empty());
        }
        URI uri = URI.create(url);
        String port = uri.getPort() < 0 ? "" : ":" + uri.getPort();
        String query = uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery();
        String jdbc = "jdbc:postgresql://" + uri.getHost() + port + uri.getRawPath() + query;
        Optional<String> user = Optional.empty();
        Optional<String> password = Optional.empty();
        if (uri.getUserInfo() != null) {
            String[] parts = uri.getUserInfo().split(":", 2);
            user = Optional.of(parts[0]);
            password = parts.length > 1 ? Optional.of(parts[1]) : Optional.empty();
        }
        return new Jdbc(jdbc, user, password);
    }
}
