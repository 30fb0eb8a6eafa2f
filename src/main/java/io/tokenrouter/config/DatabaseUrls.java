package io.tokenrouter.config;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns the URL forms people put in {@code DATABASE_URL} into JDBC: {@code jdbc:...} passes as it is,
 * {@code postgres://user:pass@host:5432/db} becomes a PostgreSQL JDBC URL with its credentials split off.
 */
public final class DatabaseUrls {

    /** A JDBC URL with the user and password that were embedded in the original URL, if any. */
    public record Jdbc(String url, Optional<String> user, Optional<String> password) {
    }

    private static final Pattern POSTGRES = Pattern.compile(
            "postgres(?:ql)?://(?:([^:@/]*)(?::([^@/]*))?@)?([^/?:]*)(?::(\\d+))?(/[^?]*)?(\\?.*)?");

    private DatabaseUrls() {
    }

    static boolean isSupported(String url) {
        return url.startsWith("jdbc:") || url.startsWith("postgres://") || url.startsWith("postgresql://");
    }

    public static Jdbc toJdbc(String url) {
        if (url.startsWith("jdbc:")) {
            return new Jdbc(url, Optional.empty(), Optional.empty());
        }
        // parsed by hand: java.net.URI refuses host names with '_', common for container service names
        Matcher m = POSTGRES.matcher(url);
        if (!m.matches()) {
            throw new IllegalArgumentException("database_url is not a postgresql://user:password@host:port/database URL");
        }
        String host = m.group(3).isEmpty() ? "localhost" : m.group(3);
        String port = m.group(4) == null ? "" : ":" + m.group(4);
        String path = m.group(5) == null ? "/" : m.group(5);
        String query = m.group(6) == null ? "" : m.group(6);
        return new Jdbc("jdbc:postgresql://" + host + port + path + query,
                Optional.ofNullable(m.group(1)).map(DatabaseUrls::decode),
                Optional.ofNullable(m.group(2)).map(DatabaseUrls::decode));
    }

    private static final Pattern SECRET_PARAMETER = Pattern.compile(
            "(?i)((?:password|passwd|pwd|sslpassword|sslkey|user|username)=)[^&;]*");
    private static final Pattern USER_INFO = Pattern.compile("(//)[^/@?;]*@");

    /** A JDBC URL fit for a log line: credentials in the user-info part or in parameters are masked. */
    public static String forLog(String jdbcUrl) {
        String masked = USER_INFO.matcher(jdbcUrl).replaceAll("$1***@");
        return SECRET_PARAMETER.matcher(masked).replaceAll("$1***");
    }

    private static String decode(String part) {
        return URLDecoder.decode(part.replace("+", "%2B"), StandardCharsets.UTF_8);
    }
}
