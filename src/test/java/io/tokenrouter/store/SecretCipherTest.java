package io.tokenrouter.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tokenrouter.config.GatewaySettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

class SecretCipherTest {

    @TempDir
    Path home;

    private GatewaySettings settings(String secretKey) {
        Map<String, String> properties = new HashMap<>();
        properties.put("tokenrouter.home", home.toString());
        if (secretKey != null) {
            properties.put("tokenrouter.secret_key", secretKey);
        }
        return GatewaySettings.load(properties, Map.of());
    }

    @Test
    void opensWhatItSealed() {
        SecretCipher cipher = SecretCipher.from(settings("cluster-wide-secret"));

        assertThat(cipher.open(cipher.seal("sk-live-ünïcode-1234"))).isEqualTo("sk-live-ünïcode-1234");
        assertThat(cipher.open(cipher.seal(""))).isEmpty();
    }

    @Test
    void sealsDifferentlyEachTimeWithoutRevealingThePlainText() {
        SecretCipher cipher = SecretCipher.from(settings("cluster-wide-secret"));

        String first = cipher.seal("sk-live-1234");
        String second = cipher.seal("sk-live-1234");

        assertThat(first).startsWith("v1:").isNotEqualTo(second).doesNotContain("sk-live-1234");
        assertThat(second).startsWith("v1:").doesNotContain("sk-live-1234");
    }

    @Test
    void opensWithAnotherInstanceOfTheSameKey() {
        String sealed = SecretCipher.from(settings("cluster-wide-secret")).seal("sk-1");

        assertThat(SecretCipher.from(settings("cluster-wide-secret")).open(sealed)).isEqualTo("sk-1");
    }

    @Test
    void failsToOpenWithAnotherKey() {
        String sealed = SecretCipher.from(settings("cluster-wide-secret")).seal("sk-1");
        SecretCipher other = SecretCipher.from(settings("another-secret"));

        assertThatThrownBy(() -> other.open(sealed)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("secret_key");
    }

    @Test
    void failsToOpenTamperedOrForeignText() {
        SecretCipher cipher = SecretCipher.from(settings("cluster-wide-secret"));
        String sealed = cipher.seal("sk-1");
        char last = sealed.charAt(sealed.length() - 3);
        String tampered = sealed.substring(0, sealed.length() - 3) + (last == 'A' ? 'B' : 'A')
                + sealed.substring(sealed.length() - 2);

        assertThatThrownBy(() -> cipher.open(tampered)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> cipher.open("sk-plain-text")).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void passesNullThrough() {
        SecretCipher cipher = SecretCipher.from(settings("cluster-wide-secret"));

        assertThat(cipher.seal(null)).isNull();
        assertThat(cipher.open(null)).isNull();
    }

    @Test
    void createsAKeyFileInHomeWithoutASecretKey() throws Exception {
        SecretCipher cipher = SecretCipher.from(settings(null));
        Path keyFile = home.resolve("secret.key");

        assertThat(keyFile).isRegularFile();
        assertThat(Files.readString(keyFile).trim()).hasSize(44);
        assertThat(cipher.open(cipher.seal("sk-1"))).isEqualTo("sk-1");
    }

    @Test
    @DisabledOnOs(OS.WINDOWS)
    void makesTheKeyFileReadableByItsOwnerOnly() throws Exception {
        SecretCipher.from(settings(null));

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(home.resolve("secret.key"))))
                .isEqualTo("rw-------");
    }

    @Test
    void reusesTheKeyFileItCreated() throws Exception {
        String sealed = SecretCipher.from(settings(null)).seal("sk-1");
        String key = Files.readString(home.resolve("secret.key"));

        assertThat(SecretCipher.from(settings(null)).open(sealed)).isEqualTo("sk-1");
        assertThat(Files.readString(home.resolve("secret.key"))).isEqualTo(key);
    }

    @Test
    void doesNotOpenKeyFileSecretsWithAConfiguredSecretKey() {
        String sealed = SecretCipher.from(settings(null)).seal("sk-1");
        SecretCipher configured = SecretCipher.from(settings("cluster-wide-secret"));

        assertThatThrownBy(() -> configured.open(sealed)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void createsTheHomeDirectoryWhenItIsMissing() {
        Path nested = home.resolve("not/yet/there");
        Map<String, String> properties = Map.of("tokenrouter.home", nested.toString());

        SecretCipher cipher = SecretCipher.from(GatewaySettings.load(properties, Map.of()));

        assertThat(nested.resolve("secret.key")).isRegularFile();
        assertThat(cipher.open(cipher.seal("x"))).isEqualTo("x");
    }
}
