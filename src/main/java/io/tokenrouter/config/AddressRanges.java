package io.tokenrouter.config;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/** IP addresses and CIDR ranges as written in {@code trusted_proxies}, parsed without any name lookup. */
public final class AddressRanges {

    private AddressRanges() {
    }

    /** Every entry as a range; an entry that is not an address or CIDR range throws, naming it. */
    public static List<byte[][]> parseAll(List<String> entries) {
        List<byte[][]> ranges = new ArrayList<>();
        for (String entry : entries) {
            ranges.add(range(entry.trim()));
        }
        return ranges;
    }

    /** Whether {@code address} (a literal) lies in one of {@code ranges}. */
    public static boolean contains(List<byte[][]> ranges, String address) {
        if (ranges.isEmpty()) {
            return false; // no address to parse: the usual case, checked on every request
        }
        byte[] bytes = parse(address);
        if (bytes == null) {
            return false;
        }
        for (byte[][] range : ranges) {
            if (range != null && matches(bytes, range[0], range[1])) {
                return true;
            }
        }
        return false;
    }

    static boolean matches(byte[] address, byte[] network, byte[] mask) {
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

    /** A trusted entry as {network, mask}: {@code 10.0.0.0/8}, {@code 192.168.1.5}, {@code ::1}. */
    public static byte[][] range(String entry) {
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
    public static byte[] parse(String text) {
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
}
