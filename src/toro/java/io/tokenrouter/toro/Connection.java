package io.tokenrouter.toro;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import java.io.IOException;
import java.net.URI;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Set;

/**
 * Where toro talks to and with which parent key: {@code TOKENROUTER_URL} and {@code TOKENROUTER_KEY}
 * from the environment when set, else {@code toro.toml} in {@code $XDG_CONFIG_HOME/tokenrouter} (by default
 * {@code ~/.config/tokenrouter}), written by {@code toro connect} readable by its owner only.
 */
record Connection(String url, String key, String source) {

    static final String URL_ENV = "TOKENROUTER_URL";
    static final String KEY_ENV = "TOKENROUTER_KEY";
    private static final Set<PosixFilePermission> OWNER_DIR = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> OWNER_FILE = PosixFilePermissions.fromString("rw-------");

    /** The configuration file for this environment. */
    static Path file(Map<String, String> env) {
        String xdg = env.get("XDG_CONFIG_HOME");
        Path config;
        if (xdg != null && !xdg.isBlank() && Path.of(xdg).isAbsolute()) {
            config = Path.of(xdg);
        } else {
            String home = env.getOrDefault("HOME", System.getProperty("user.home"));
            config = Path.of(home, ".config");
        }
        return config.resolve("tokenrouter").resolve("toro.toml");
    }

    /** The connection in effect; fails with {@link ToroException#NOT_CONNECTED} when there is none. */
    static Connection load(Map<String, String> env) {
        String url = blankToNull(env.get(URL_ENV));
        String key = blankToNull(env.get(KEY_ENV));
        Path file = file(env);
        String source = "the environment";
        if ((url == null || key == null) && Files.isRegularFile(file)) {
            try {
                JsonNode stored = new TomlMapper().readTree(file.toFile());
                url = url != null ? url : blankToNull(stored.path("url").asText(null));
                key = key != null ? key : blankToNull(stored.path("key").asText(null));
                source = file.toString();
            } catch (IOException e) {
                throw new ToroException(ToroException.NOT_CONNECTED, "cannot read " + file + ": " + e.getMessage()
                        + "; run 'toro connect' again");
            }
        }
        if (url == null || key == null) {
            throw new ToroException(ToroException.NOT_CONNECTED, "not connected yet: run 'toro connect <server URL>'"
                    + " (or set " + URL_ENV + " and " + KEY_ENV + ")");
        }
        return new Connection(normalise(url), key.trim(), source);
    }

    /** The server URL stored by an earlier connect or login, or null. */
    static String storedUrl(Map<String, String> env) {
        Path file = file(env);
        if (!Files.isRegularFile(file)) {
            return null;
        }
        try {
            return blankToNull(new TomlMapper().readTree(file.toFile()).path("url").asText(null));
        } catch (IOException e) {
            return null;
        }
    }

    /** Stores the connection, creating the directory (0700) and the file (0600) for the owner only. */
    void store(Path file) throws IOException {
        Path dir = file.getParent();
        boolean posix = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
        if (!Files.isDirectory(dir)) {
            if (posix) {
                Files.createDirectories(dir.getParent());
                Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(OWNER_DIR));
            } else {
                Files.createDirectories(dir);
            }
        }
        if (posix) {
            Files.setPosixFilePermissions(dir, OWNER_DIR);
        }
        TomlMapper toml = new TomlMapper();
        ObjectNode content = toml.createObjectNode().put("url", url).put("key", key);
        Path temp = posix ? Files.createTempFile(dir, "toro", ".tmp", PosixFilePermissions.asFileAttribute(OWNER_FILE))
                : Files.createTempFile(dir, "toro", ".tmp");
        try {
            Files.writeString(temp, "# toro: the TokenRouter server and the parent key it creates temporary keys under\n"
                    + toml.writeValueAsString(content));
            try {
                Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
            }
            if (posix) {
                Files.setPosixFilePermissions(file, OWNER_FILE);
            }
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /** The server's root URL: scheme and host required, no trailing slash, a trailing {@code /v1} or {@code /api} cut. */
    static String normalise(String text) {
        String url = text.trim();
        while (url.endsWith("/")) {
            url = url.substring(0, url.length() - 1);
        }
        for (String suffix : new String[] {"/v1", "/api"}) {
            if (url.endsWith(suffix)) {
                url = url.substring(0, url.length() - suffix.length());
            }
        }
        URI uri;
        try {
            uri = URI.create(url);
        } catch (IllegalArgumentException e) {
            throw new ToroException(2, "not a URL: " + text);
        }
        if (uri.getScheme() == null || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))
                || uri.getHost() == null) {
            throw new ToroException(2, "not an http(s) URL: " + text + " (e.g. https://gateway.example.com)");
        }
        return url;
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }
}
