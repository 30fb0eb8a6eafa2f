package io.tokenrouter.events;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Secrets in captured text are replaced by [REDACTED]; ordinary text is left alone. */
class RedactionTest {

    static Stream<Arguments> secrets() {
        return Stream.of(
                Arguments.of("OpenAI key", "key sk-abcdefghijklmnopqrstuvwxyz012345 here", "key [REDACTED] here"),
                Arguments.of("OpenAI project key", "OPENAI_API_KEY=sk-proj-Ab3dEf6hIj9kLmN0pQrStUvWx_yz-12",
                        "OPENAI_API_KEY=[REDACTED]"),
                Arguments.of("Anthropic key", "x-api-key: sk-ant-api03-AbCdEfGhIjKlMnOpQrStUv-wxYZ_0123456789AA",
                        "x-api-key: [REDACTED]"),
                Arguments.of("OpenRouter key",
                        "sk-or-v1-0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef.",
                        "[REDACTED]."),
                Arguments.of("TokenRouter key", "use tr-Q2hhbmdlTWVQbGVhc2VJdHNBVGVzdEtleTEyMw please",
                        "use [REDACTED] please"),
                Arguments.of("Groq key", "gsk_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789abcdefGhIjKlMnOp",
                        "[REDACTED]"),
                Arguments.of("AWS access key id", "aws_access_key_id = AKIAIOSFODNN7EXAMPLE", "aws_access_key_id = [REDACTED]"),
                Arguments.of("GitHub token", "token ghp_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789 ok", "token [REDACTED] ok"),
                Arguments.of("Slack bot token", "xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx",
                        "[REDACTED]"),
                Arguments.of("Google API key", "key=AIzaSyD-AbCdEfGhIjKlMnOpQrStUvWxYz01234&q=1", "key=[REDACTED]&q=1"),
                Arguments.of("PEM private key", "before\n-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA7V\nq3+Zx==\n"
                        + "-----END RSA PRIVATE KEY-----\nafter", "before\n[REDACTED]\nafter"),
                Arguments.of("PEM private key in a JSON string", "\"-----BEGIN PRIVATE KEY-----\\nMIIEvQIBADAN\\n"
                        + "-----END PRIVATE KEY-----\"", "\"[REDACTED]\""),
                Arguments.of("bearer token", "Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.e30.abc-Xy", "Authorization: Bearer [REDACTED]"),
                Arguments.of("lower-case bearer token", "bearer abcdefgh12345678", "bearer [REDACTED]"),
                Arguments.of("JSON api_key field", "{\"api_key\": \"hunter2\"}", "{\"api_key\": \"[REDACTED]\"}"),
                Arguments.of("JSON apiKey field", "{\"apiKey\":\"hunter2\",\"n\":1}", "{\"apiKey\":\"[REDACTED]\",\"n\":1}"),
                Arguments.of("JSON password with escaped quotes", "{\"password\": \"pa\\\"ss\\\\\\\"word\", \"user\": \"bob\"}",
                        "{\"password\": \"[REDACTED]\", \"user\": \"bob\"}"),
                Arguments.of("JSON authorization field", "{\"Authorization\" : \"Basic dXNlcjpwYXNz\"}",
                        "{\"Authorization\" : \"[REDACTED]\"}"),
                Arguments.of("JSON token field", "{\"token\":\"abc\"}", "{\"token\":\"[REDACTED]\"}"),
                Arguments.of("JSON client_secret field", "{\"client_secret\": \"s3cr3t\"}", "{\"client_secret\": \"[REDACTED]\"}"),
                Arguments.of("JSON access_token field", "{\"access_token\": \"ya29.a0\"}", "{\"access_token\": \"[REDACTED]\"}"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("secrets")
    void replacesSecretsByTheMark(String name, String text, String expected) {
        assertThat(Redaction.redact(text)).isEqualTo(expected);
    }

    static Stream<Arguments> ordinaryText() {
        return Stream.of(
                Arguments.of("hyphenated words", "Update the task-list and the desk-lamp, ask-me-anything style."),
                Arguments.of("words containing sk", "A quick sketch of the risk: skip the mask."),
                Arguments.of("short sk- prefix", "sk-short and tr-tiny are not keys"),
                Arguments.of("token counts", "{\"max_tokens\": 4096, \"prompt_tokens\": \"12\", \"tokenizer\": \"o200k\"}"),
                Arguments.of("a password mentioned in prose", "Your password must be 12 characters long."),
                Arguments.of("the word bearer in prose", "The bearer of bad news."),
                Arguments.of("an AKIA-like word that is too short", "AKIA1234 is not a key"),
                Arguments.of("code", "for (int i = 0; i < n; i++) { sum += a[i]; }"),
                Arguments.of("empty", ""));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("ordinaryText")
    void leavesOrdinaryTextAlone(String name, String text) {
        assertThat(Redaction.redact(text)).isEqualTo(text);
    }

    @Test
    void aBearerTokenWithUnderscoresIsRedactedWhole() {
        // RFC 6750 b64token and base64url JWTs include '_'
        assertThat(Redaction.redact("Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIx_fQ.sig_nature-Xy"))
                .isEqualTo("Authorization: Bearer [REDACTED]");
        assertThat(Redaction.redact("Authorization: Bearer ab_cdefghijklmnopqrstuvwxyz"))
                .isEqualTo("Authorization: Bearer [REDACTED]");
    }

    @Test
    void nullStaysNull() {
        assertThat(Redaction.redact(null)).isNull();
    }

    @Test
    void redactsEverySecretInALongerText() {
        String text = "first sk-abcdefghijklmnopqrstuvwxyz then ghp_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789 and"
                + " {\"password\": \"x\"} end";

        assertThat(Redaction.redact(text))
                .isEqualTo("first [REDACTED] then [REDACTED] and {\"password\": \"[REDACTED]\"} end");
    }

    /** Issue 8 item 10: a webhook URL in the log shows where, never its secret path, query or user info. */
    @Test
    void aUrlForTheLogKeepsOnlySchemeHostAndPort() {
        assertThat(Redaction.url("https://hooks.slack.com/services/T000/B000/XXXXSECRET"))
                .isEqualTo("https://hooks.slack.com/…");
        assertThat(Redaction.url("https://user:pw@alerts.example:8443/hook?token=SECRET"))
                .isEqualTo("https://alerts.example:8443/…");
        assertThat(Redaction.url("http://alerts.example")).isEqualTo("http://alerts.example");
        assertThat(Redaction.url("not a url")).doesNotContain("not a url");
    }

    static Stream<Arguments> moreSecrets() {
        return Stream.of(
                Arguments.of("a PEM key without its END line, then prose",
                        "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkq+/=\nhkiG9w0B and then prose.",
                        "[REDACTED] and then prose."),
                Arguments.of("a PEM key cut at the end of the text", "x -----BEGIN EC PRIVATE KEY-----\\nMHcCAQEE",
                        "x [REDACTED]"),
                Arguments.of("two PEM keys", "-----BEGIN PRIVATE KEY-----\nAA\n-----END PRIVATE KEY----- and "
                        + "-----BEGIN PRIVATE KEY-----\nBB\n-----END PRIVATE KEY-----", "[REDACTED] and [REDACTED]"),
                Arguments.of("a JSON secret field without its closing quote", "{\"api_key\": \"abc\\\"def",
                        "{\"api_key\": \"[REDACTED]"),
                Arguments.of("an escaped secret field without its end", "\\\"token\\\": \\\"abc def",
                        "\\\"token\\\": \\\"[REDACTED]"),
                Arguments.of("two JSON secret fields", "{\"token\":\"a\",\"secret\":\"b\",\"n\":1}",
                        "{\"token\":\"[REDACTED]\",\"secret\":\"[REDACTED]\",\"n\":1}"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("moreSecrets")
    void replacesSecretsOfUnboundedShape(String name, String text, String expected) {
        assertThat(Redaction.redact(text)).isEqualTo(expected);
    }

    /**
     * Texts a client or provider can send to make a backtracking pattern quadratic (or recurse once per
     * character): each pattern's worst case at 4 MB. Linear redaction takes milliseconds here; the old
     * private-key pattern took 25 s for 150 KB and the old field pattern overflowed the stack at 100 KB.
     */
    static Stream<Arguments> pathologicalTexts() {
        int size = 4 * 1024 * 1024;
        return Stream.of(
                Arguments.of("BEGIN lines and no END", fill("-----BEGIN PRIVATE KEY-----", size)),
                Arguments.of("BEGIN lines with bodies and no END", fill("-----BEGIN RSA PRIVATE KEY-----\nMIIE\n", size)),
                Arguments.of("a BEGIN line that never closes", "-----BEGIN " + "A ".repeat(size / 2)),
                Arguments.of("END lines only", fill("-----END PRIVATE KEY-----", size)),
                Arguments.of("a secret field value of escapes", "{\"api_key\": \"" + "\\\"".repeat(size / 2) + "\"}"),
                Arguments.of("a secret field value of 4 MB", "{\"password\": \"" + "p".repeat(size) + "\"}"),
                Arguments.of("secret field starts without values", fill("\"token\": \"\\", size)),
                Arguments.of("secret field names and whitespace", fill("\"secret\"        ", size)),
                Arguments.of("escaped field starts without ends", fill("\\\"api_key\\\": \\\"x", size)),
                Arguments.of("key prefixes", fill("sk-tr-gsk_ghp_xoxb-AIzaAKIA", size)),
                Arguments.of("almost keys", fill("sk-abcdefghijklmno ", size)),
                Arguments.of("one long key-shaped run", "sk-" + "a".repeat(size)),
                Arguments.of("bearer and whitespace", "bearer" + " ".repeat(size) + "!"),
                Arguments.of("bearer words", fill("Bearer bearer ", size)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("pathologicalTexts")
    void redactionIsLinearInTheText(String name, String text) {
        String redacted = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(10),
                () -> Redaction.redact(text));
        assertThat(redacted).isNotNull();
    }

    private static String fill(String unit, int size) {
        return unit.repeat(size / unit.length());
    }
}
