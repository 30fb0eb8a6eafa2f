package io.tokenrouter.runtime;

import io.tokenrouter.config.AddressRanges;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

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

    private final Supplier<List<String>> trustedProxies;
    private final Header header;
    private volatile Parsed parsed = new Parsed(List.of(), List.of());

    /** The ranges of one version of the trusted-proxies list (compared by identity, so reparsed only on change). */
    private record Parsed(List<String> entries, List<byte[][]> ranges) {
    }

    ClientAddresses(List<String> trustedProxies, Header header) {
        this(() -> trustedProxies, header);
        trusted();
    }

    /**
     * A resolver that follows the cluster's current {@code trusted_proxies} (which admins may change at run
     * time); the list is parsed again only when its supplier answers another list.
     */
    ClientAddresses(Supplier<List<String>> trustedProxies, Header header) {
        this.trustedProxies = trustedProxies;
        this.header = header;
    }

    private List<byte[][]> trusted() {
        List<String> entries = trustedProxies.get();
        Parsed p = parsed;
        if (p.entries() != entries) {
            p = new Parsed(entries, AddressRanges.parseAll(entries));
            parsed = p;
        }
        return p.ranges();
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

    /** The client address of a servlet request: its peer, or what the trusted proxies in front of it say. */
    public String resolve(jakarta.servlet.http.HttpServletRequest request) {
        String peer = request.getRemoteAddr();
        if (!isTrusted(peer)) {
            return peer;
        }
        return resolve(peer, String.join(",", java.util.Collections.list(request.getHeaders("X-Forwarded-For"))),
                String.join(",", java.util.Collections.list(request.getHeaders("Forwarded"))));
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

    /** Whether {@code address} is one of the trusted proxies. */
    public boolean isTrusted(String address) {
        return AddressRanges.contains(trusted(), address);
    }


    /** A hop without brackets or port: {@code [2001:db8::1]:4711} is {@code 2001:db8::1}, {@code 1.2.3.4:80} is {@code 1.2.3.4}. */
    static String bare(String hop) {
        String h = hop.trim();
        if (h.startsWith("[") && h.indexOf(']') > 0) {
            return h.substring(1, h.indexOf(']'));
        }
        return h.chars().filter(c -> c == ':').count() == 1 ? h.substring(0, h.indexOf(':')) : h;
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
