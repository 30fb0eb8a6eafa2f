package io.tokenrouter.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.tokenrouter.api.GatewayException;
import io.tokenrouter.routing.ProviderTarget;
import io.tokenrouter.upstream.AuthStyle;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;

/** What a client is told when its provider could not be reached or did not answer. */
class UpstreamFailuresTest {

    private static final ProviderTarget PROVIDER = new ProviderTarget("openai", URI.create("https://api.openai.com/v1"),
            "sk-test", AuthStyle.BEARER, Duration.ofSeconds(3), Duration.ofSeconds(60));

    @Test
    void aRefusedCertificateIs502WithTheTlsError() {
        GatewayException error = UpstreamFailures.map(PROVIDER, new SSLHandshakeException(
                "PKIX path building failed: unable to find valid certification path to requested target"));

        assertThat(error.status()).isEqualTo(502);
        assertThat(error.code()).isEqualTo("upstream_unavailable");
        assertThat(error.getMessage()).isEqualTo("Provider 'openai' could not be reached: PKIX path building failed: "
                + "unable to find valid certification path to requested target");
    }

    @Test
    void aRefusedConnectionIs502AndATimeoutIs504() {
        assertThat(UpstreamFailures.map(PROVIDER, new ExecutionException(new ConnectException("Connection refused"))))
                .satisfies(e -> assertThat(e.status()).isEqualTo(502))
                .satisfies(e -> assertThat(e.getMessage()).contains("connection refused or host unreachable"));
        assertThat(UpstreamFailures.map(PROVIDER, new HttpTimeoutException("no answer within 60000 ms")).status())
                .isEqualTo(504);
    }
}
