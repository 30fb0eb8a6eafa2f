import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/**
 * A stand-in for an OpenAI client run by toro: waits the given milliseconds, sends one chat request to
 * $OPENAI_BASE_URL with $OPENAI_API_KEY, prints what it saw, and exits with the given code.
 * Run with the JDK's source launcher: java CallGateway.java WAIT_MS EXIT_CODE
 */
public class CallGateway {
    public static void main(String[] args) throws Exception {
        Thread.sleep(Long.parseLong(args[0]));
        String base = System.getenv("OPENAI_BASE_URL");
        String key = System.getenv("OPENAI_API_KEY");
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(base + "/chat/completions"))
                .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(
                        "{\"model\":\"mock/gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"hi from a tool\"}]}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        System.out.println("status=" + response.statusCode());
        System.out.println("request-id=" + response.headers().firstValue("x-request-id").orElse(""));
        System.out.println("key-prefix=" + key.substring(0, Math.min(10, key.length())));
        System.out.println("parent-key-visible=" + (System.getenv("TOKENROUTER_KEY") != null));
        System.exit(Integer.parseInt(args[1]));
    }
}
