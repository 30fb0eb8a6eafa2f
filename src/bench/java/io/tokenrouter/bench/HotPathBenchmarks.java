package io.tokenrouter.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tokenrouter.access.KeySecrets;
import io.tokenrouter.api.Endpoint;
import io.tokenrouter.api.Json;
import io.tokenrouter.quota.QuotaBench;
import io.tokenrouter.upstream.OpenAiPassthroughAdapter;
import io.tokenrouter.upstream.SseParser;
import io.tokenrouter.upstream.UsageReader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.Blackhole;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * JMH micro-benchmarks of the pieces on the request path: key hashing (the cache key of every lookup),
 * parsing and rewriting a request body, scanning an SSE stream for usage, and a quota reservation plus
 * settlement against H2. Run with {@code mvn -Pbench test -Dtest=HotPathBenchmarks}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class HotPathBenchmarks {

    static final String SECRET = KeySecrets.generate();
    static final byte[] BODY = ("{\"model\":\"openai/gpt-4o-mini\",\"messages\":[{\"role\":\"system\",\"content\":\"You are"
            + " a helpful assistant.\"},{\"role\":\"user\",\"content\":\"Write a haiku about the sea.\"}],"
            + "\"temperature\":0.7,\"max_tokens\":128,\"stream\":true}").getBytes(StandardCharsets.UTF_8);
    static final byte[] STREAM;

    static {
        StringBuilder sse = new StringBuilder();
        for (int i = 0; i < 20; i++) {
            sse.append("data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",\"choices\":"
                    + "[{\"index\":0,\"delta\":{\"content\":\"word \"},\"finish_reason\":null}]}\n\n");
        }
        sse.append("data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",\"choices\":[],"
                + "\"usage\":{\"prompt_tokens\":20,\"completion_tokens\":20,\"total_tokens\":40}}\n\ndata: [DONE]\n\n");
        STREAM = sse.toString().getBytes(StandardCharsets.UTF_8);
    }

    private QuotaBench quotas;

    @Setup(Level.Trial)
    public void open() {
        quotas = QuotaBench.open();
    }

    @TearDown(Level.Trial)
    public void close() {
        quotas.close();
    }

    @Benchmark
    public String keyHash() {
        return KeySecrets.hash(SECRET);
    }

    @Benchmark
    public byte[] bodyParseAndRewrite() throws Exception {
        ObjectNode body = (ObjectNode) Json.parse(BODY);
        OpenAiPassthroughAdapter.INSTANCE.prepare(body, "gpt-4o-mini", Endpoint.CHAT_COMPLETIONS, true);
        return Json.bytes(body);
    }

    @Benchmark
    public void sseScanForUsage(Blackhole hole) {
        SseParser parser = new SseParser(event -> {
            if (event.data() != null && event.data().contains("\"usage\"")) {
                try {
                    JsonNode json = Json.parse(event.data());
                    hole.consume(UsageReader.read(json));
                } catch (java.io.IOException e) {
                    throw new IllegalStateException(e);
                }
            }
            hole.consume(event.raw());
        });
        parser.feed(ByteBuffer.wrap(STREAM));
        parser.finish();
    }

    @Benchmark
    public void quotaReserveAndSettleOnH2() {
        quotas.reserveAndSettle();
    }

    @Test
    void run() throws Exception {
        new Runner(new OptionsBuilder().include(HotPathBenchmarks.class.getSimpleName())
                .forks(1).warmupIterations(3).warmupTime(org.openjdk.jmh.runner.options.TimeValue.seconds(2))
                .measurementIterations(5).measurementTime(org.openjdk.jmh.runner.options.TimeValue.seconds(2))
                .threads(1).build()).run();
    }
}
