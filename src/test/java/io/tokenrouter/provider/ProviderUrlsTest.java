package io.tokenrouter.provider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ProviderUrlsTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "https://api.openai.com/v1",
            "http://127.0.0.1:11434/v1",
            "http://localhost:8080",
            "HTTPS://API.EXAMPLE.COM/v1/",
            "https://[::1]:8443/openai/v1?api-version=2024-10-21",
    })
    void acceptsHttpAndHttpsUrlsWithAHost(String url) {
        assertThat(ProviderUrls.validate("p", url)).isEqualTo(URI.create(url));
    }

    @ParameterizedTest(name = "{0}: ''{1}''")
    @CsvSource(delimiter = '|', textBlock = """
            other scheme       | ftp://files.example.com/v1
            file scheme        | file:///etc/passwd
            no scheme          | api.example.com/v1
            host as scheme     | localhost:8080/v1
            missing host       | http:///v1
            opaque URI         | mailto:ops@example.com
            user info          | https://user:secret@api.example.com/v1
            user without pass  | https://user@api.example.com/v1
            fragment           | https://api.example.com/v1#section
            empty fragment     | https://api.example.com/v1#
            spaces             | https://api example.com/v1
            garbage            | ::::
            empty              | ''
            """)
    void rejectsEverythingElseNamingTheProvider(String description, String url) {
        assertThatThrownBy(() -> ProviderUrls.validate("acme", url))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("provider 'acme' base_url");
    }
}
