package io.tokenrouter.access;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class KeySecretsTest {

    @Test
    void generatesTrPrefixedSecretsOf256RandomBits() {
        String secret = KeySecrets.generate();

        assertThat(secret).startsWith("tr-").hasSize(3 + 43).matches("tr-[A-Za-z0-9_-]{43}");
    }

    @Test
    void generatesADifferentSecretEachTime() {
        Set<String> secrets = new HashSet<>();
        for (int i = 0; i < 100; i++) {
            secrets.add(KeySecrets.generate());
        }

        assertThat(secrets).hasSize(100);
    }

    @Test
    void hashesToTheSha256HexOfTheSecret() {
        assertThat(KeySecrets.hash("abc"))
                .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    @Test
    void hashesTheSameSecretToTheSame64HexDigits() {
        String secret = KeySecrets.generate();

        assertThat(KeySecrets.hash(secret)).matches("[0-9a-f]{64}").isEqualTo(KeySecrets.hash(secret));
        assertThat(KeySecrets.hash(secret)).isNotEqualTo(KeySecrets.hash(KeySecrets.generate()));
    }

    @Test
    void matchesOnlyTheSecretThatWasHashed() {
        String secret = KeySecrets.generate();
        String stored = KeySecrets.hash(secret);

        assertThat(KeySecrets.matches(secret, stored)).isTrue();
        assertThat(KeySecrets.matches(secret + "x", stored)).isFalse();
        assertThat(KeySecrets.matches(KeySecrets.generate(), stored)).isFalse();
        assertThat(KeySecrets.matches(secret, stored.toUpperCase())).isTrue();
    }

    @Test
    void showsTheFirstTenCharactersAsTheDisplayPrefix() {
        assertThat(KeySecrets.displayPrefix("tr-AbCdEfGhIjKlMn")).isEqualTo("tr-AbCdEfG");
        assertThat(KeySecrets.displayPrefix("tr-short")).isEqualTo("tr-short");
    }
}
