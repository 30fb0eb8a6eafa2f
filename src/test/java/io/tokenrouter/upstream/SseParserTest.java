package io.tokenrouter.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class SseParserTest {

    /** An event with its raw bytes as text, so that events compare by value. */
    private record Event(String raw, String event, String data) {
        static Event of(SseEvent e) {
            return new Event(new String(e.raw(), StandardCharsets.UTF_8), e.event(), e.data());
        }
    }

    private static final String STREAM = """
            : keep-alive comment

            data: {"id":"c1","choices":[{"delta":{"content":"Hé"}}]}

            event: response.output_text.delta
            data: {"delta":"llo 🌍"}

            id: 7
            retry: 1000
            data: line one
            data: line two

            data: [DONE]

            """;

    private static List<Event> parse(byte[] input, int chunkSize) {
        List<Event> events = new ArrayList<>();
        SseParser parser = new SseParser(e -> events.add(Event.of(e)));
        for (int i = 0; i < input.length; i += chunkSize) {
            parser.feed(ByteBuffer.wrap(input, i, Math.min(chunkSize, input.length - i)));
        }
        parser.finish();
        return events;
    }

    private static List<Event> parse(String input) {
        byte[] bytes = input.getBytes(StandardCharsets.UTF_8);
        return parse(bytes, bytes.length);
    }

    private static List<String> data(List<Event> events) {
        return events.stream().map(Event::data).toList();
    }

    private static List<String> raws(List<Event> events) {
        return events.stream().map(Event::raw).toList();
    }

    @Test
    void splitsAStreamIntoEvents() {
        List<Event> events = parse(STREAM);

        assertThat(events).extracting(Event::event).containsExactly(null, "response.output_text.delta", null, null);
        assertThat(data(events)).containsExactly(
                "{\"id\":\"c1\",\"choices\":[{\"delta\":{\"content\":\"Hé\"}}]}",
                "{\"delta\":\"llo 🌍\"}",
                "line one\nline two",
                "[DONE]");
    }

    @Test
    void findsTheSameEventsWhenFedByteByByteAsInOneBuffer() {
        byte[] input = STREAM.getBytes(StandardCharsets.UTF_8);

        List<Event> whole = parse(input, input.length);

        assertThat(whole).hasSize(4);
        assertThat(parse(input, 1)).isEqualTo(whole);
        assertThat(parse(input, 2)).isEqualTo(whole);
        assertThat(parse(input, 7)).isEqualTo(whole);
    }

    @Test
    void findsTheSameEventsWhateverTheChunkBoundaries() {
        byte[] input = STREAM.replace("\n", "\r\n").getBytes(StandardCharsets.UTF_8);
        List<Event> whole = parse(input, input.length);
        Random random = new Random(42);

        for (int round = 0; round < 50; round++) {
            List<Event> events = new ArrayList<>();
            SseParser parser = new SseParser(e -> events.add(Event.of(e)));
            int i = 0;
            while (i < input.length) {
                int n = Math.min(1 + random.nextInt(16), input.length - i);
                parser.feed(ByteBuffer.wrap(Arrays.copyOfRange(input, i, i + n)));
                i += n;
            }
            parser.finish();

            assertThat(events).as("round %d", round).isEqualTo(whole);
        }
    }

    private static String newline(String name) {
        return switch (name) {
            case "LF" -> "\n";
            case "CRLF" -> "\r\n";
            case "CR" -> "\r";
            default -> throw new IllegalArgumentException(name);
        };
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"LF", "CRLF", "CR"})
    void acceptsEveryLineEnding(String lineEnding) {
        String input = STREAM.replace("\n", newline(lineEnding));

        List<Event> events = parse(input);
        List<Event> byteByByte = parse(input.getBytes(StandardCharsets.UTF_8), 1);

        assertThat(data(events)).containsExactly(
                "{\"id\":\"c1\",\"choices\":[{\"delta\":{\"content\":\"Hé\"}}]}",
                "{\"delta\":\"llo 🌍\"}",
                "line one\nline two",
                "[DONE]");
        assertThat(events.get(1).event()).isEqualTo("response.output_text.delta");
        assertThat(data(byteByByte)).isEqualTo(data(events));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"LF", "CR"})
    void relaysTheRawBytesOfEachEventExactly(String lineEnding) {
        String first = "data: {\"a\":1}\n\n".replace("\n", newline(lineEnding));
        String second = ": c\nevent: done\ndata: x\ndata: y\n\n".replace("\n", newline(lineEnding));

        List<Event> events = parse(first + second);

        assertThat(raws(events)).containsExactly(first, second);
    }

    @Test
    void relaysTheRawBytesOfEachCrlfEventExactly() {
        String first = "data: {\"a\":1}\r\n\r\n";
        String second = "data: [DONE]\r\n\r\n";

        List<Event> events = parse(first + second);

        assertThat(raws(events)).containsExactly(first, second);
    }

    @Test
    void keepsACommentInsideAnEventInItsRawBytesButNotInItsData() {
        String input = ": note\ndata: x\n: another\n\n";

        List<Event> events = parse(input);

        assertThat(events).containsExactly(new Event(input, null, "x"));
    }

    @Test
    void emitsNothingForCommentOnlyBlocks() {
        assertThat(parse(": ping\n\n:\n\n: pong\r\n\r\n")).isEmpty();
    }

    @Test
    void dropsCommentBlocksFromTheRawBytesOfTheNextEvent() {
        assertThat(raws(parse(": ping\n\ndata: x\n\n"))).containsExactly("data: x\n\n");
    }

    @ParameterizedTest(name = "''{0}'' -> ''{1}''")
    @CsvSource(delimiter = '|', textBlock = """
            data: x      | x
            data:x       | x
            'data:  x'   | ' x'
            data: a: b   | a: b
            data         | ''
            'data: '     | ''
            """)
    void readsTheValueAfterTheColonAndOneOptionalSpace(String line, String data) {
        assertThat(parse(line + "\n\n")).extracting(Event::data).containsExactly(data);
    }

    @Test
    void emitsAnEventWithANameButNoData() {
        assertThat(parse("event: ping\n\n")).containsExactly(new Event("event: ping\n\n", "ping", null));
    }

    @Test
    void ignoresUnknownFields() {
        assertThat(parse("id: 3\nretry: 10\nfoo: bar\n\n")).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            no line end     | 'data: x'
            one LF          | 'data: x\\n'
            """)
    void finishEmitsAnUnterminatedLastEventWithABlankLineAppended(String description, String tail) {
        String input = "data: first\n\n" + tail.replace("\\n", "\n");

        List<Event> events = parse(input);

        assertThat(events).containsExactly(new Event("data: first\n\n", null, "first"),
                new Event("data: x\n\n", null, "x"));
    }

    @Test
    void finishEmitsAnUnterminatedNamedEvent() {
        assertThat(parse("event: response.completed\ndata: {}"))
                .containsExactly(new Event("event: response.completed\ndata: {}\n\n", "response.completed", "{}"));
    }

    @Test
    void finishEmitsNothingMoreAfterCompleteEvents() {
        List<SseEvent> events = new ArrayList<>();
        SseParser parser = new SseParser(events::add);
        parser.feed(ByteBuffer.wrap("data: a\n\n".getBytes(StandardCharsets.UTF_8)));
        assertThat(events).hasSize(1);

        parser.finish();

        assertThat(events).hasSize(1);
    }

    @Test
    void emitsEachEventAsSoonAsItsBlankLineArrives() {
        List<SseEvent> events = new ArrayList<>();
        SseParser parser = new SseParser(events::add);

        parser.feed(ByteBuffer.wrap("data: a\n".getBytes(StandardCharsets.UTF_8)));
        assertThat(events).isEmpty();
        parser.feed(ByteBuffer.wrap("\nda".getBytes(StandardCharsets.UTF_8)));
        assertThat(events).extracting(SseEvent::data).containsExactly("a");
    }

    @Test
    void recognisesTheDoneEvent() {
        assertThat(parse("data: [DONE]\n\n").get(0).data()).isEqualTo("[DONE]");
        assertThat(new SseEvent(new byte[0], null, "[DONE]").isDone()).isTrue();
        assertThat(new SseEvent(new byte[0], null, "[DONE] ").isDone()).isFalse();
        assertThat(new SseEvent(new byte[0], null, null).isDone()).isFalse();
    }

    @Test
    void rejectsAnEventLargerThanTheLimit() {
        SseParser parser = new SseParser(e -> { });
        byte[] huge = new byte[SseParser.MAX_EVENT_BYTES + 1];
        Arrays.fill(huge, (byte) 'a');
        System.arraycopy("data: ".getBytes(StandardCharsets.US_ASCII), 0, huge, 0, 6);

        assertThatThrownBy(() -> parser.feed(ByteBuffer.wrap(huge)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(String.valueOf(SseParser.MAX_EVENT_BYTES));
    }

    @Test
    void acceptsAnEventExactlyAtTheLimit() {
        List<SseEvent> events = new ArrayList<>();
        SseParser parser = new SseParser(events::add);
        byte[] event = new byte[SseParser.MAX_EVENT_BYTES];
        Arrays.fill(event, (byte) 'a');
        System.arraycopy("data: ".getBytes(StandardCharsets.US_ASCII), 0, event, 0, 6);
        event[event.length - 2] = '\n';
        event[event.length - 1] = '\n';

        parser.feed(ByteBuffer.wrap(event));

        assertThat(events).hasSize(1);
        assertThat(events.get(0).raw()).hasSize(SseParser.MAX_EVENT_BYTES);
        assertThat(events.get(0).data()).hasSize(SseParser.MAX_EVENT_BYTES - 8);
    }
}
