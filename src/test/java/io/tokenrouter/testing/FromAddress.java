package io.tokenrouter.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * HTTP/1.1 requests to the deployed gateway from a chosen loopback address (127.0.0.x), so that tests
 * of per-client limits each look like a different client without trusting forwarding headers.
 */
public final class FromAddress {

    private final URL deployment;
    private final String local;

    public FromAddress(URL deployment, String localAddress) {
        this.deployment = deployment;
        this.local = localAddress;
    }

    /** An answer: status, headers (names in lower case; the last of a repeated one), every Set-Cookie, and body. */
    public record Answer(int status, Map<String, String> headers, java.util.List<String> setCookies, String body) {

        /** The value this answer sets for cookie {@code name}, or null. */
        public String cookie(String name) {
            for (String c : setCookies) {
                if (c.startsWith(name + "=")) {
                    return c.substring(name.length() + 1).split(";", 2)[0];
                }
            }
            return null;
        }
    }

    public Answer post(String path, String bearer, String json) throws IOException {
        return send("POST", path, bearer, json);
    }

    public Answer get(String path, String bearer) throws IOException {
        return send("GET", path, bearer, null);
    }

    public Answer send(String method, String path, String bearer, String json) throws IOException {
        Map<String, String> headers = new LinkedHashMap<>();
        if (bearer != null) {
            headers.put("Authorization", "Bearer " + bearer);
        }
        return send(method, path, headers, json == null ? null : "application/json",
                json == null ? null : json.getBytes(StandardCharsets.UTF_8));
    }

    /** A request with the given headers and, unless {@code body} is null, a body of {@code contentType}. */
    public Answer send(String method, String path, Map<String, String> headers, String contentType, byte[] body)
            throws IOException {
        String base = deployment.getPath().endsWith("/") ? deployment.getPath() : deployment.getPath() + "/";
        StringBuilder head = new StringBuilder(method + " " + base + path + " HTTP/1.1\r\nHost: "
                + deployment.getHost() + ":" + deployment.getPort() + "\r\nConnection: close\r\n");
        headers.forEach((name, value) -> head.append(name).append(": ").append(value).append("\r\n"));
        if (body != null) {
            head.append("Content-Type: ").append(contentType).append("\r\nContent-Length: ").append(body.length)
                    .append("\r\n");
        }
        head.append("\r\n");
        try (Socket socket = new Socket()) {
            socket.bind(new InetSocketAddress(local, 0));
            socket.connect(new InetSocketAddress(deployment.getHost(), deployment.getPort()), 5000);
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
            if (body != null) {
                out.write(body);
            }
            out.flush();
            return parse(socket.getInputStream().readAllBytes());
        }
    }

    private static Answer parse(byte[] raw) throws IOException {
        String text = new String(raw, StandardCharsets.ISO_8859_1);
        int end = text.indexOf("\r\n\r\n");
        if (end < 0) {
            throw new IOException("no complete HTTP answer: " + text);
        }
        String[] lines = text.substring(0, end).split("\r\n");
        int status = Integer.parseInt(lines[0].split(" ")[1]);
        Map<String, String> headers = new LinkedHashMap<>();
        java.util.List<String> cookies = new java.util.ArrayList<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            String name = lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT);
            headers.put(name, lines[i].substring(colon + 1).trim());
            if (name.equals("set-cookie")) {
                cookies.add(lines[i].substring(colon + 1).trim());
            }
        }
        byte[] rest = java.util.Arrays.copyOfRange(raw, end + 4, raw.length);
        if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            rest = dechunk(new java.io.ByteArrayInputStream(rest));
        }
        return new Answer(status, headers, java.util.List.copyOf(cookies), new String(rest, StandardCharsets.UTF_8));
    }

    private static byte[] dechunk(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        while (true) {
            StringBuilder size = new StringBuilder();
            int c;
            while ((c = in.read()) != -1 && c != '\n') {
                if (c != '\r') {
                    size.append((char) c);
                }
            }
            int n = size.length() == 0 ? 0 : Integer.parseInt(size.toString().split(";")[0].trim(), 16);
            if (n == 0) {
                return out.toByteArray();
            }
            out.write(in.readNBytes(n));
            in.read();
            in.read();
        }
    }
}
