package io.tokenrouter.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** Reads what the gateway under test wrote to its Tomcat's log, such as the usage record of a request. */
public final class GatewayLog {

    private static final ObjectMapper JSON = new ObjectMapper();

    private GatewayLog() {
    }

    /** The usage record logged for {@code requestId}, waiting up to five seconds for it. */
    public static JsonNode usage(String requestId) throws IOException, InterruptedException {
        String needle = "\"request_id\":\"" + requestId + "\"";
        for (int attempt = 0; attempt < 100; attempt++) {
            for (String line : lines()) {
                int start = line.indexOf("usage {");
                if (start >= 0 && line.contains(needle)) {
                    return JSON.readTree(line.substring(start + "usage ".length()));
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no usage record for " + requestId + " in the gateway's log");
    }

    private static List<String> lines() throws IOException {
        Path logs = Path.of(System.getProperty("it.tomcat.home"), "logs");
        try (Stream<Path> files = Files.list(logs)) {
            return files.filter(f -> f.getFileName().toString().startsWith("catalina"))
                    .flatMap(f -> {
                        try {
                            return Files.readAllLines(f, StandardCharsets.UTF_8).stream();
                        } catch (IOException e) {
                            return Stream.empty();
                        }
                    }).toList();
        }
    }
}
