package io.tokenrouter.runtime;

import io.tokenrouter.config.GatewaySettings;

/** Run-time settings for tests of components that read them: the file's, nothing stored. */
public final class TestRuntimeSettings {

    private TestRuntimeSettings() {
    }

    public static RuntimeSettings fromFile(GatewaySettings settings) {
        RuntimeSettings runtime = new RuntimeSettings();
        runtime.settings = settings;
        return runtime;
    }
}
