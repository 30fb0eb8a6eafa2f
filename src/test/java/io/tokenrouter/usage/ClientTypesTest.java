package io.tokenrouter.usage;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The coarse client type of real User-Agent headers. */
class ClientTypesTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', nullValues = "NULL", textBlock = """
            OpenAI/Python 1.51.0                                                      | openai-python
            OpenAI/Python 2.8.1                                                       | openai-python
            OpenAI/JS 4.67.3                                                          | openai-node
            OpenAI/JS 5.23.2                                                          | openai-node
            OpenAI/Java 2.8.1                                                         | openai-java
            OpenAI/Go 1.12.0                                                          | openai-sdk
            curl/8.5.0                                                                | curl
            Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36 | browser
            Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0    | browser
            python-requests/2.32.3                                                    | python
            python-httpx/0.27.2                                                       | python
            Go-http-client/1.1                                                        | go
            Go-http-client/2.0                                                        | go
            Java-http-client/17.0.15                                                  | java
            okhttp/4.12.0                                                             | java
            Apache-HttpClient/5.3.1 (Java/17.0.15)                                    | java
            codex_cli_rs/0.46.0 (Mac OS 15.6.1; arm64) iTerm.app/3.6.4                | codex
            opencode/0.15.0 ai-sdk/provider-utils/3.0.9 runtime/bun/1.3.0             | opencode
            claude-cli/2.0.14 (external, cli)                                         | claude-code
            Anthropic/Python 0.69.0                                                   | anthropic-python
            Anthropic/JS 0.65.0                                                       | anthropic-node
            Anthropic/Java 2.8.0                                                      | anthropic-java
            PostmanRuntime/7.42.0                                                     | other
            NULL                                                                      | unknown
            ''                                                                        | unknown
            '   '                                                                     | unknown
            """)
    void classifiesRealUserAgents(String userAgent, String expected) {
        assertThat(ClientTypes.of(userAgent)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
            AsyncOpenAI/Python 1.51.0      | openai-python
            AzureOpenAI/Python 1.51.0      | openai-python
            AsyncAzureOpenAI/Python 1.51.0 | openai-python
            """)
    void classifiesEveryClientClassOfTheOpenAiPythonSdk(String userAgent, String expected) {
        assertThat(ClientTypes.of(userAgent)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
            Python/3.12 aiohttp/3.9.5 | python
            """)
    void classifiesAiohttpByItsDefaultUserAgent(String userAgent, String expected) {
        assertThat(ClientTypes.of(userAgent)).isEqualTo(expected);
    }
}
