package io.tokenrouter.access;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** An admin key copied from an example, or short, is called out; a random one is not. */
class SetupServiceTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            the README's example                | tr-pick-a-long-random-secret             | true
            the sample file's example           | tr-change-me-to-a-long-random-secret     | true
            short                               | tr-0123456789abcdef                      | true
            few distinct characters             | tr-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa   | true
            a word of the examples              | my-very-own-placeholder-for-the-gateway  | true
            random hex                          | tr-5f2c0e9a7b31d4c86e0f1a2b3c4d5e6f7a8b   | false
            random base64                       | tr-Q2hhbmdlTWVQbGVhc2VJdHNBVGVzdEtleTEyMw | false
            """)
    void aPlaceholderOrShortAdminKeyIsCalledOut(String description, String key, boolean placeholder) {
        assertThat(SetupService.looksLikePlaceholder(key)).isEqualTo(placeholder);
    }
}
