package io.tokenrouter.proxy;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The client's address: the socket's peer, unless that peer is one of the configured trusted proxies, in
 * which case the one forwarding header those proxies write ({@code trusted_proxy_header}:
 * {@code X-Forwarded-For} or RFC 7239 {@code Forwarded}) is walked from the right, skipping trusted hops,
 * to the first address nobody trusted set. The other header is never read, since a proxy that only
 * appends to one passes the client's own version of the other through; and a header from an untrusted
 * peer is ignored, since anyone can write one.
 */
public final class ClientAddresses {

    /** The forwarding header the trusted proxies write. */
    enum Header {
        X_FORWARDED_FOR, FORWARDED;

        static Header parse(String setting) {
            return switch (setting.trim().toLowerCase(Locale.ROOT)) {
                case "x-forwarded-for" -> X_FORWARDED_FOR;
                case "forwarded" -> FORWARDED;
                default -> throw new IllegalArgumentException("trusted_proxy_header must be 'X-Forwarded-For' or"
                        + " 'Forwarded', not '" + setting + "'");
            };
        }
    }

    private final List<byte[][]> trusted = new ArrayList<>();
    private final Header header;

    ClientAddresses(List<String> trustedProxies, Header header) {
        for (String entry : trustedProxies) {
            trusted.add(range(entry.trim()));
        }
        this.header = header;
    }

    /** The resolver the settings describe; an invalid entry throws, naming the setting. */
    public static ClientAddresses of(io.tokenrouter.config.GatewaySettings settings) {
        return new ClientAddresses(settings.trustedProxies(), Header.parse(settings.trustedProxyHeader()));
    }

    public String resolve(String peer, jakarta.ws.rs.core.MultivaluedMap<String, String> headers) {
        if (!isTrusted(peer)) {
            return peer;
        }
        return resolve(peer, String.join(",", headers.getOrDefault("X-Forwarded-For", List.of())),
                String.join(",", headers.getOrDefault("Forwarded", List.of())));
    }

    String resolve(String peer, String xForwardedFor, String forwarded) {
        if (!isTrusted(peer)) {
            return peer;
        }
        List<String> hops = header == Header.FORWARDED ? forwardedFor(forwarded == null ? "" : forwarded)
                : split(xForwardedFor);
        for (int i = hops.size() - 1; i >= 0; i--) {
            String hop = hops.get(i);
            if (!isTrusted(hop)) {
                return bare(hop);
            }
        }
        return hops.isEmpty() ? peer : bare(hops.get(0));
    }

    boolean isTrusted(String address) {
        byte[] bytes = parse(address);
        if (bytes == null) {
            return false;
        }
        for (byte[][] range : trusted) {
            if (range != null && matches(bytes, range[0], range[1])) {
                return true;
            }
        }
        return false;
    }

    private static boolean matches(byte[] address, byte[] network, byte[] mask) {
        if (address.length != network.length) {
            return false;
        }
        for (int i = 0; i < address.length; i++) {
            if ((address[i] & mask[i]) != (network[i] & mask[i])) {
                return false;
            }
        }
        return true;
    }

    /** A hop without brackets or port: {@code [2001:db8::1]:4711} is {@code 2001:db8::1}, {@code 1.2.3.4:80} is {@code 1.2.3.4}. */
    static String bare(String hop) {
        String h = hop.trim();
        if (h.startsWith("[") && h.indexOf(']') > 0) {
            return h.substring(1, h.indexOf(']'));
        }
        return h.chars().filter(c -> c == ':').count() == 1 ? h.substring(0, h.indexOf(':')) : h;
    }

    /** A trusted entry as {network, mask}: {@code 10.0.0.0/8}, {@code 192.168.1.5}, {@code ::1}. */
    private static byte[][] range(String entry) {
        int slash = entry.indexOf('/');
        byte[] network = parse(slash < 0 ? entry : entry.substring(0, slash));
        if (network == null) {
            throw new IllegalArgumentException("trusted_proxies entry '" + entry + "' is not an IP address or CIDR range");
        }
        int bits = slash < 0 ? network.length * 8 : prefixLength(entry, entry.substring(slash + 1), network.length * 8);
        byte[] mask = new byte[network.length];
        for (int i = 0; i < mask.length; i++) {
            int take = Math.max(0, Math.min(8, bits - i * 8));
            mask[i] = (byte) (take == 0 ? 0 : 0xff << (8 - take));
        }
        return new byte[][] {network, mask};
    }

    private static int prefixLength(String entry, String text, int max) {
        try {
            int bits = Integer.parseInt(text);
            if (bits >= 0 && bits <= max) {
                return bits;
            }
        } catch (NumberFormatException e) {
            // reported below with the entry
        }
        throw new IllegalArgumentException("trusted_proxies entry '" + entry + "' needs a prefix length from 0 to " + max);
    }

    /** Parses a literal IP address without any name lookup; null when it is not one. */
    static byte[] parse(String text) {
        if (text == null) {
            return null;
        }
        String t = text.trim();
        if (t.startsWith("[") && t.contains("]")) {
            t = t.substring(1, t.indexOf(']'));
        } else if (t.chars().filter(c -> c == ':').count() == 1) {
            t = t.substring(0, t.indexOf(':'));
        }
        boolean literal = t.matches("[0-9.]+") && t.chars().filter(c -> c == '.').count() == 3
                || t.matches("[0-9a-fA-F:.]+") && t.contains(":");
        if (!literal) {
            return null;
        }
        try {
            return InetAddress.getByName(t).getAddress();
        } catch (UnknownHostException e) {
            return null;
        }
    }

    private static List<String> split(String header) {
        List<String> hops = new ArrayList<>();
        if (header != null) {
            for (String part : header.split(",")) {
                if (!part.isBlank()) {
                    hops.add(part.trim());
                }
            }
        }
        return hops;
    }

    /** The {@code for=} values of an RFC 7239 {@code Forwarded} header, in order. */
    private static List<String> forwardedFor(String header) {
        List<String> hops = new ArrayList<>();
        for (String element : header.split(",")) {
            for (String pair : element.split(";")) {
                String p = pair.trim();
                if (p.toLowerCase(Locale.ROOT).startsWith("for=")) {
                    hops.add(p.substring(4).replace("\"", "").trim());
                }
            }
        }
        return hops;
    }
}
