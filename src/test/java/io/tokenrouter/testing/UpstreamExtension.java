package io.tokenrouter.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Starts the one {@link ScriptedUpstream} of the test run on the port the gateway's test configuration
 * points at (before Arquillian deploys, so start-up model discovery finds it) and clears its scripts
 * before each test.
 */
public final class UpstreamExtension implements BeforeAllCallback, BeforeEachCallback {

    private static ScriptedUpstream upstream;

    public static synchronized ScriptedUpstream upstream() {
        if (upstream == null) {
            try {
                upstream = new ScriptedUpstream(Integer.getInteger("it.upstream.port"));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return upstream;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        upstream();
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        upstream().reset();
    }
}
